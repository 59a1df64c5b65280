import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import type { PulledModel, PullProgress } from './model-pull.js';

/** One exact file: where it comes from, the name it gets, and the digest it must have. */
export interface PinnedModelFile {
  /** An http(s) URL, or `hf:<user>/<repo>/<file>` (optionally pinned with `revision`). */
  uri: string;
  /** File name in the models directory, e.g. `SmolLM2-135M-Instruct-Q4_1.gguf`. */
  file: string;
  /** Lower-case hex sha256 of the whole file. */
  sha256: string;
  /** Hugging Face commit; defaults to `main`. */
  revision?: string;
}

export interface PinnedPullOptions {
  directory: string;
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
  /** Fail with TIMEOUT when no byte arrives for this long (default 30 s). */
  stallTimeoutMs?: number;
  /** Hugging Face token for gated repositories; defaults to env `HF_TOKEN`. */
  huggingFaceToken?: string;
}

/**
 * Downloads one pinned file into `directory` and checks its sha256 before it gets its final name.
 * Bytes land in `<file>.part` first; a broken download resumes from there with an HTTP `Range`
 * request, so a 1 GB model never starts over. A file already present with the right digest is
 * not downloaded again; one with the wrong digest is refused rather than silently replaced.
 *
 * @throws TroupeError OUTPUT_INVALID (digest mismatch: the partial file is deleted), TIMEOUT
 *   (stalled), CANCELLED, MODEL_NOT_FOUND (404), AUTH_FAILED (401/403), PROVIDER_ERROR (network).
 */
export async function pullPinnedModel(pin: PinnedModelFile, options: PinnedPullOptions): Promise<PulledModel> {
  const target = path.join(options.directory, pin.file);
  const partial = `${target}.part`;
  const expected = pin.sha256.toLowerCase();
  await mkdir(options.directory, { recursive: true });
  const present = await sizeOf(target);
  if (present !== undefined) {
    const digest = await sha256Of(target);
    if (digest === expected) return { path: target, bytes: present };
    throw new TroupeError(ErrorCode.OUTPUT_INVALID, `${target} exists but its sha256 is ${digest}, not the pinned ${expected}; move it away and pull again`);
  }
  const url = urlOf(pin);
  const controller = new AbortController();
  const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  let stallTimer: NodeJS.Timeout | undefined;
  const armStallTimer = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => controller.abort(new TroupeError(ErrorCode.TIMEOUT, `pull of ${pin.uri} made no progress for ${stallTimeoutMs} ms (no network?)`)), stallTimeoutMs);
  };
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  armStallTimer();
  try {
    const resumeFrom = (await sizeOf(partial)) ?? 0;
    const token = options.huggingFaceToken ?? process.env.HF_TOKEN;
    const response = await fetch(url, {
      signal,
      redirect: 'follow',
      headers: { ...(resumeFrom > 0 ? { range: `bytes=${resumeFrom}-` } : {}), ...(token && url.includes('huggingface.co') ? { authorization: `Bearer ${token}` } : {}) },
    });
    if (response.status === 404) throw new TroupeError(ErrorCode.MODEL_NOT_FOUND, `nothing to download at ${pin.uri} (HTTP 404)`);
    if (response.status === 401 || response.status === 403) throw new TroupeError(ErrorCode.AUTH_FAILED, `access to ${pin.uri} was refused (HTTP ${response.status}; gated repository? set HF_TOKEN)`);
    if (!response.ok || !response.body) throw new TroupeError(ErrorCode.PROVIDER_ERROR, `could not download ${pin.uri}: HTTP ${response.status}`, { retryable: true });
    // 206 continues the partial file; a server that ignores Range sends it all again (200).
    const offset = response.status === 206 ? resumeFrom : 0;
    const length = Number(response.headers.get('content-length') ?? 0);
    const total = length > 0 ? offset + length : 0;
    const out = createWriteStream(partial, { flags: offset > 0 ? 'a' : 'w' });
    let downloaded = offset;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        armStallTimer();
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        downloaded += chunk.byteLength;
        options.onProgress?.({ fraction: total > 0 ? downloaded / total : 0, downloadedBytes: downloaded, totalBytes: total });
      }
    } finally {
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    }
    const digest = await sha256Of(partial);
    if (digest !== expected) {
      await rm(partial, { force: true });
      throw new TroupeError(ErrorCode.OUTPUT_INVALID, `downloaded ${pin.file} has sha256 ${digest}, not the pinned ${expected}; the partial file was deleted`);
    }
    await rename(partial, target);
    return { path: target, bytes: downloaded };
  } catch (error) {
    throw toError(error, signal, pin.uri);
  } finally {
    clearTimeout(stallTimer);
  }
}

function urlOf(pin: PinnedModelFile): string {
  const hf = /^hf:([^/\s]+)\/([^/\s]+)\/(.+)$/.exec(pin.uri);
  if (hf) return `https://huggingface.co/${hf[1]}/${hf[2]}/resolve/${pin.revision ?? 'main'}/${hf[3]}`;
  if (/^https?:\/\//i.test(pin.uri) && URL.canParse(pin.uri)) return pin.uri;
  throw new TroupeError(ErrorCode.BAD_REQUEST, `cannot pull "${pin.uri}": expected hf:<user>/<repo>/<file> or an http(s) URL`);
}

async function sizeOf(file: string): Promise<number | undefined> {
  return stat(file).then((info) => info.size, () => undefined);
}

/** sha256 of a file, streamed (models are hundreds of MB). */
export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function toError(error: unknown, signal: AbortSignal, uri: string): TroupeError {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof TroupeError) return reason;
    return new TroupeError(ErrorCode.CANCELLED, `pull of ${uri} was cancelled`);
  }
  if (error instanceof TroupeError) return error;
  const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
  return new TroupeError(ErrorCode.PROVIDER_ERROR, `could not download ${uri} (no network?): ${message}`, { retryable: true, cause: error });
}
