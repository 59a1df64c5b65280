import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { Command } from 'commander';
import { ContextBuckets, ContextChunk, createContextStore, createUseEmbeddingModel, documentTypeOf, openContextBucket, type IngestResult } from '@troupe/context';
import type { EmbeddingModel } from '@troupe/models';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { connectNats } from '@troupe/transport';
import { resolveNatsUrl } from './nats-target.js';

const stdout = (line: string) => process.stdout.write(`${line}\n`);
const SUPPORTED = new Set(['.md', '.markdown', '.txt', '.text', '.json']);

/** Files named on the command line, directories walked for supported types; a named file of another type is an error. */
export function documentsIn(paths: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (SUPPORTED.has(extname(entry.name).toLowerCase())) files.push(child);
    }
  };
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch (error) {
      throw new TroupeError(ErrorCode.NOT_FOUND, `no such file or directory: ${path}`, { cause: error });
    }
    if (stats.isDirectory()) walk(path);
    else {
      documentTypeOf(path);
      files.push(path);
    }
  }
  if (files.length === 0) throw new TroupeError(ErrorCode.BAD_REQUEST, `no Markdown, text or JSON documents in ${paths.join(', ')}`);
  return files;
}

export interface IngestCommandOptions {
  collection: string;
  nats?: string;
  maxChars?: number;
  write?: (line: string) => void;
  /** Defaults to the Universal Sentence Encoder (what workers use unless configured otherwise). */
  embedder?: EmbeddingModel;
}

/** `troupe context ingest <paths…> --collection <name>`: chunks, embeds (USE) and stores documents in NATS KV. */
export async function ingestCommand(paths: readonly string[], options: IngestCommandOptions): Promise<IngestResult[]> {
  const write = options.write ?? stdout;
  const files = documentsIn(paths);
  const connection = await connectNats({ servers: resolveNatsUrl(options.nats) });
  try {
    const embedder = options.embedder ?? (await createUseEmbeddingModel());
    const store = await createContextStore({
      chunks: await openContextBucket(connection, ContextBuckets.chunks, ContextChunk),
      embedder,
      ...(options.maxChars ? { chunking: { maxChars: options.maxChars } } : {}),
    });
    const results: IngestResult[] = [];
    try {
      for (const file of files) {
        // The source name is the path as given, so re-ingesting a file replaces its old chunks.
        const result = await store.ingest(options.collection, relative(process.cwd(), file) || file, readFileSync(file, 'utf8'));
        results.push(result);
        write(`${result.source}: ${result.chunks} chunks, ${result.added} added, ${result.unchanged} unchanged, ${result.removed} removed`);
      }
      const total = store.collections().find((collection) => collection.name === options.collection)?.chunks ?? 0;
      write(`collection "${options.collection}": ${total} chunks`);
    } finally {
      store.dispose();
    }
    return results;
  } finally {
    await connection.drain();
  }
}

/** `troupe context search <query> --collection <name>`: the chunks a node with this context would get. */
export async function searchCommand(query: string, options: { collection: string; k: number; nats?: string; write?: (line: string) => void }): Promise<void> {
  const write = options.write ?? stdout;
  const connection = await connectNats({ servers: resolveNatsUrl(options.nats) });
  try {
    const store = await createContextStore({ chunks: await openContextBucket(connection, ContextBuckets.chunks, ContextChunk), embedder: await createUseEmbeddingModel() });
    try {
      for (const chunk of await store.retrieve({ collection: options.collection, query, k: options.k })) {
        write(`${chunk.score.toFixed(3)}  ${chunk.source}  ${chunk.text.replace(/\s+/g, ' ').slice(0, 120)}`);
      }
    } finally {
      store.dispose();
    }
  } finally {
    await connection.drain();
  }
}

/** Registers `troupe context ingest|search`. */
export function registerContextCommands(program: Command): void {
  const context = program.command('context').description('retrieval collections: ingest documents, search them');
  context
    .command('ingest')
    .description('chunk, embed and store Markdown, text and JSON documents in a collection (re-ingesting does not duplicate)')
    .argument('<paths...>', 'files or directories')
    .requiredOption('--collection <name>', 'collection name (letters, digits, "_" and "-")')
    .option('--nats <url>', 'NATS server (default: $TROUPE_NATS_URL, then the running `troupe up`)')
    .option('--max-chars <n>', 'largest chunk in characters', (value) => Number.parseInt(value, 10))
    .action(async (paths: string[], options: { collection: string; nats?: string; maxChars?: number }) => {
      await ingestCommand(paths, options);
    });
  context
    .command('search')
    .description('show the chunks hybrid retrieval returns for a query')
    .argument('<query>', 'the query text')
    .requiredOption('--collection <name>', 'collection name')
    .option('--k <n>', 'chunks to return', (value) => Number.parseInt(value, 10), 4)
    .option('--nats <url>', 'NATS server (default: $TROUPE_NATS_URL, then the running `troupe up`)')
    .action(async (query: string, options: { collection: string; k: number; nats?: string }) => {
      await searchCommand(query, options);
    });
}
