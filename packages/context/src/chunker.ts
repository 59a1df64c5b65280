import { extname } from 'node:path';
import { ErrorCode, TroupeError } from '@troupe/protocol';

/** A document type the ingester reads. */
export const DocumentType = { markdown: 'markdown', text: 'text', json: 'json' } as const;
export type DocumentType = (typeof DocumentType)[keyof typeof DocumentType];

const EXTENSIONS: Record<string, DocumentType> = { '.md': 'markdown', '.markdown': 'markdown', '.txt': 'text', '.text': 'text', '.json': 'json' };

/** One piece of a document, small enough to embed and to put in a prompt. */
export interface DocumentChunk {
  text: string;
  metadata: Record<string, string | number | boolean>;
}

export interface ChunkOptions {
  /** Largest chunk in characters (paragraphs are packed up to it). Default 1,000. */
  maxChars?: number;
}

/** The document type for a file name; unsupported types are a typed BAD_REQUEST. */
export function documentTypeOf(path: string): DocumentType {
  const type = EXTENSIONS[extname(path).toLowerCase()];
  if (!type) {
    throw new TroupeError(ErrorCode.BAD_REQUEST, `unsupported document type "${extname(path) || path}": use .md, .txt or .json`, {
      details: { reason: 'unsupported-type', path },
    });
  }
  return type;
}

/** Packs paragraphs into chunks of at most `maxChars`, splitting an over-long paragraph on sentences. */
function pack(paragraphs: string[], maxChars: number): string[] {
  const chunks: string[] = [];
  let current = '';
  const pieces = paragraphs.flatMap((paragraph) => (paragraph.length <= maxChars ? [paragraph] : (paragraph.match(/[^.!?]+[.!?]*\s*/g) ?? [paragraph])));
  for (const piece of pieces) {
    const text = piece.trim();
    if (!text) continue;
    if (current && current.length + text.length + 2 > maxChars) {
      chunks.push(current);
      current = '';
    }
    // A single sentence longer than a chunk is cut hard rather than dropped.
    for (let start = 0; start < text.length; start += maxChars) {
      const part = text.slice(start, start + maxChars);
      current = current ? `${current}\n\n${part}` : part;
      if (current.length >= maxChars) {
        chunks.push(current);
        current = '';
      }
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

function chunkMarkdown(content: string, maxChars: number): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  const headings: string[] = [];
  let body: string[] = [];
  const flush = () => {
    const section = headings.filter(Boolean).join(' > ');
    for (const text of pack(body.join('\n').split(/\n\s*\n/), maxChars)) {
      // The heading travels with the chunk so a keyword in a title still finds its section.
      chunks.push({ text: section ? `${headings.filter(Boolean).at(-1)}\n${text}` : text, metadata: section ? { section } : {} });
    }
    body = [];
  };
  for (const line of content.split('\n')) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = (heading[1] as string).length;
      headings.length = level;
      headings[level - 1] = (heading[2] as string).trim();
    } else body.push(line);
  }
  flush();
  return chunks;
}

function chunkJson(content: string, path: string, maxChars: number): DocumentChunk[] {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    throw new TroupeError(ErrorCode.BAD_REQUEST, `"${path}" is not valid JSON`, { cause: error, details: { reason: 'invalid-json', path } });
  }
  const items = Array.isArray(value) ? value : value && typeof value === 'object' ? Object.entries(value).map(([key, item]) => ({ key, item })) : [value];
  return items.flatMap((item, index) => {
    const record = item && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : { value: item };
    const metadata: DocumentChunk['metadata'] = { item: index };
    for (const [key, field] of Object.entries(record)) {
      if (['string', 'number', 'boolean'].includes(typeof field) && String(field).length <= 200) metadata[key] = field as string | number | boolean;
    }
    const text = Object.entries(record)
      .map(([key, field]) => `${key}: ${typeof field === 'string' ? field : JSON.stringify(field)}`)
      .join('\n');
    return pack([text], maxChars).map((part) => ({ text: part, metadata }));
  });
}

/**
 * Splits a document into chunks with metadata: Markdown by heading then paragraph (the heading path
 * is kept), text by paragraph, JSON by array item or top-level key (scalar fields become metadata).
 */
export function chunkDocument(path: string, content: string, options: ChunkOptions = {}): DocumentChunk[] {
  const maxChars = options.maxChars ?? 1_000;
  const type = documentTypeOf(path);
  if (!content.trim()) throw new TroupeError(ErrorCode.BAD_REQUEST, `"${path}" is empty`, { details: { reason: 'empty-document', path } });
  const chunks = type === 'markdown' ? chunkMarkdown(content, maxChars) : type === 'json' ? chunkJson(content, path, maxChars) : pack(content.split(/\n\s*\n/), maxChars).map((text) => ({ text, metadata: {} }));
  return chunks.map((chunk, index) => ({ text: chunk.text, metadata: { ...chunk.metadata, type, chunk: index } }));
}
