import { mkdir, stat } from 'node:fs/promises';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { resolveModelFile } from 'node-llama-cpp';
import { resolveModelsDirectory } from './model-path.js';

export interface PullProgress {
  /** In [0, 1]; 0 until the size is known. */
  fraction: number;
  downloadedBytes: number;
  totalBytes: number;
}

export interface PullModelOptions {
  /** Defaults to `$TROUPE_MODELS_DIR`, else `./models`. */
  directory?: string;
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
  /**
   * Fail with TIMEOUT when no byte arrives for this long (default 60 s). node-llama-cpp's
   * downloader retries network errors on its own, so offline it would otherwise wait for a long time.
   */
  stallTimeoutMs?: number;
  /** Hugging Face token for gated repositories; defaults to env `HF_TOKEN`. */
  huggingFaceToken?: string;
}

export interface PulledModel {
  /** Absolute path of the downloaded GGUF file (the first part of a split model). */
  path: string;
  bytes: number;
}

/**
 * Downloads a GGUF model with node-llama-cpp's own downloader (resumable, split-file aware) into the
 * models directory; a file already there is not downloaded again. Accepts `hf:<user>/<repo>:<quant>`,
 * `hf:<user>/<repo>/<file>.gguf` or an http(s) URL.
 *
 * @example
 * const { path } = await pullModel('hf:bartowski/SmolLM2-135M-Instruct-GGUF:Q4_K_M', {
 *   onProgress: ({ fraction }) => log.info({ fraction }, 'downloading'),
 * });
 *
 * @throws TroupeError BAD_REQUEST (not a URI), TIMEOUT (stalled), CANCELLED, MODEL_NOT_FOUND (404),
 *   AUTH_FAILED (401/403: gated repository without a token), PROVIDER_ERROR (network, retryable).
 */
export async function pullModel(uriOrUrl: string, options: PullModelOptions = {}): Promise<PulledModel> {
  const uri = validateUri(uriOrUrl);
  const directory = resolveModelsDirectory(options.directory);
  await mkdir(directory, { recursive: true });
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(new TroupeError(ErrorCode.CANCELLED, `pull of ${uri} was cancelled`, { cause: options.signal?.reason }));
  if (options.signal?.aborted) onCallerAbort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  let stallTimer: NodeJS.Timeout | undefined;
  const armStallTimer = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(
      () => controller.abort(new TroupeError(ErrorCode.TIMEOUT, `pull of ${uri} made no progress for ${stallTimeoutMs} ms (no network?)`)),
      stallTimeoutMs,
    );
  };
  armStallTimer();
  const token = options.huggingFaceToken ?? process.env.HF_TOKEN;
  const download = resolveModelFile(uri, {
    directory,
    download: 'auto',
    cli: false,
    signal: controller.signal,
    ...(token ? { tokens: { huggingFace: token } } : {}),
    onProgress: ({ totalSize, downloadedSize }) => {
      armStallTimer();
      options.onProgress?.({ fraction: totalSize > 0 ? downloadedSize / totalSize : 0, downloadedBytes: downloadedSize, totalBytes: totalSize });
    },
  });
  // Resolving the URI happens before the downloader looks at the signal, so race the signal too;
  // the abandoned attempt is left to fail on its own and its rejection is swallowed here.
  download.catch(() => undefined);
  try {
    const path = await Promise.race([download, rejectOnAbort(controller.signal)]);
    return { path, bytes: (await stat(path)).size };
  } catch (error) {
    throw toPullError(error, controller.signal, uri);
  } finally {
    clearTimeout(stallTimer);
    options.signal?.removeEventListener('abort', onCallerAbort);
    if (!controller.signal.aborted) controller.abort(new TroupeError(ErrorCode.CANCELLED, 'pull finished'));
  }
}

function validateUri(value: string): string {
  const uri = typeof value === 'string' ? value.trim() : '';
  if (/^hf:[^/\s]+\/[^/\s]+/.test(uri)) return uri;
  if (/^https?:\/\//i.test(uri) && URL.canParse(uri)) return uri;
  throw new TroupeError(
    ErrorCode.BAD_REQUEST,
    `cannot pull "${String(value)}": expected hf:<user>/<repo>:<quant>, hf:<user>/<repo>/<file>.gguf or an http(s) URL`,
  );
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function toPullError(error: unknown, signal: AbortSignal, uri: string): TroupeError {
  if (signal.aborted && signal.reason instanceof TroupeError) return signal.reason;
  if (error instanceof TroupeError) return error;
  const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
  if (/\b404\b|not found/i.test(message)) {
    return new TroupeError(ErrorCode.MODEL_NOT_FOUND, `nothing to download at ${uri}: ${message}`, { cause: error });
  }
  if (/\b40[13]\b|unauthori[sz]ed|forbidden|gated/i.test(message)) {
    return new TroupeError(ErrorCode.AUTH_FAILED, `access to ${uri} was refused (gated repository? set HF_TOKEN): ${message}`, { cause: error });
  }
  return new TroupeError(ErrorCode.PROVIDER_ERROR, `could not download ${uri} (no network?): ${message}`, { cause: error });
}
