import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { isCodeSkill, type CodeSkill } from './define-skill.js';

/**
 * Loads the code skills a worker serves from a module (`TROUPE_SKILLS_MODULE`): every export made
 * by `defineSkill`, and the entries of an exported array (e.g. `export default [a, b]`). A default
 * export that is a function is called (it may be async) so the module can read its config first.
 */
export async function loadSkillsModule(specifier: string, setting = 'TROUPE_SKILLS_MODULE'): Promise<CodeSkill[]> {
  const url =
    specifier.startsWith('file:') || !(isAbsolute(specifier) || specifier.startsWith('.')) ? specifier : pathToFileURL(resolve(specifier)).href;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (cause) {
    throw new TroupeError(
      ErrorCode.CONFIG_INVALID,
      `${setting} names "${specifier}", which could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const exported = typeof loaded.default === 'function' && !isCodeSkill(loaded.default) ? await (loaded.default as () => unknown)() : undefined;
  const candidates = [...Object.values(loaded), ...(exported === undefined ? [] : [exported])].flatMap((value) =>
    Array.isArray(value) ? value : [value],
  );
  const skills = new Map<string, CodeSkill>();
  for (const candidate of candidates) if (isCodeSkill(candidate)) skills.set(candidate.name, candidate);
  if (skills.size === 0)
    throw new TroupeError(ErrorCode.CONFIG_INVALID, `${setting} names "${specifier}", which exports no skill made by defineSkill`);
  return [...skills.values()];
}
