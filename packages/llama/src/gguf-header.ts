import { open } from 'node:fs/promises';
import { ErrorCode, TroupeError } from '@troupe/protocol';

const GGUF_MAGIC = 'GGUF';
/** GGUF versions llama.cpp reads; v1 files are rejected by llama.cpp itself with a clear message. */
const KNOWN_VERSIONS: ReadonlySet<number> = new Set([1, 2, 3]);

/**
 * Checks the 8-byte GGUF header (magic `GGUF`, then a little-endian uint32 version) before the file
 * reaches llama.cpp. node-llama-cpp parses the header in JS and throws on garbage, but a file that
 * is not GGUF at all should fail with a clear message, and never reach native code.
 *
 * @throws TroupeError MODEL_LOAD_FAILED when the file is too short, not GGUF, or of an unknown version.
 */
export async function assertGgufFile(filePath: string): Promise<void> {
  const handle = await open(filePath, 'r');
  try {
    const header = Buffer.alloc(8);
    const { bytesRead } = await handle.read(header, 0, 8, 0);
    if (bytesRead < 8) {
      throw new TroupeError(ErrorCode.MODEL_LOAD_FAILED, `${filePath} is not a GGUF model: the file is only ${bytesRead} bytes long`, {
        details: { path: filePath },
      });
    }
    const magic = header.subarray(0, 4);
    if (magic.toString('latin1') !== GGUF_MAGIC) {
      throw new TroupeError(
        ErrorCode.MODEL_LOAD_FAILED,
        `${filePath} is not a GGUF model: it starts with bytes ${magic.toString('hex')} instead of "GGUF" (corrupt file or partial download?)`,
        { details: { path: filePath } },
      );
    }
    const version = header.readUInt32LE(4);
    if (!KNOWN_VERSIONS.has(version)) {
      throw new TroupeError(ErrorCode.MODEL_LOAD_FAILED, `${filePath} has unknown GGUF version ${version} (corrupt file?)`, {
        details: { path: filePath, version },
      });
    }
  } finally {
    await handle.close();
  }
}
