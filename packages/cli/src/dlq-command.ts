import { findDeadLetter, listDeadLetters, type StoredDeadLetter } from '@troupe/durability';
import { ErrorCode, TroupeError } from '@troupe/protocol';
import { withNats } from './nats-target.js';

export interface DeadLetterCommandOptions {
  natsUrl: string;
  tenant?: string;
  json?: boolean;
  write?: (line: string) => void;
}

const stdout = (line: string) => process.stdout.write(`${line}\n`);

/** `troupe dlq list`: tasks that could not be run, newest last, one line each with the reason. */
export async function listDeadLettersCommand(options: DeadLetterCommandOptions & { limit?: number }): Promise<StoredDeadLetter[]> {
  const write = options.write ?? stdout;
  return withNats(options.natsUrl, async (connection) => {
    const letters = await listDeadLetters(connection, { ...(options.tenant ? { tenant: options.tenant } : {}), limit: options.limit ?? 100 });
    if (options.json) {
      write(JSON.stringify(letters, null, 2));
      return letters;
    }
    if (letters.length === 0) {
      write('no dead-lettered tasks');
      return letters;
    }
    write('seq     tenant        task                                  deliveries  dead at                   reason');
    for (const letter of letters) {
      write(
        `${String(letter.sequence).padEnd(8)}${letter.tenant.padEnd(14)}${letter.taskId.padEnd(38)}${String(letter.deliveries).padEnd(12)}${new Date(letter.deadAt).toISOString().padEnd(26)}${letter.reason.code}: ${letter.reason.message}`,
      );
    }
    return letters;
  });
}

/** `troupe dlq show <id>`: one dead letter (by task id or sequence) with its reason and the queued task. */
export async function showDeadLetterCommand(id: string, options: DeadLetterCommandOptions): Promise<StoredDeadLetter> {
  const write = options.write ?? stdout;
  return withNats(options.natsUrl, async (connection) => {
    const letter = await findDeadLetter(connection, id, options.tenant ? { tenant: options.tenant } : {});
    if (!letter) throw new TroupeError(ErrorCode.NOT_FOUND, `no dead-lettered task "${id}"${options.tenant ? ` for tenant "${options.tenant}"` : ''}`);
    if (options.json) {
      write(JSON.stringify(letter, null, 2));
      return letter;
    }
    write(`task:        ${letter.taskId} (tenant ${letter.tenant})`);
    write(`reason:      ${letter.reason.code}: ${letter.reason.message}`);
    write(`deliveries:  ${letter.deliveries}`);
    write(`dead at:     ${new Date(letter.deadAt).toISOString()}`);
    write(`sequence:    ${letter.sequence} (queue sequence ${letter.queueSequence})`);
    write('message:');
    write(typeof letter.message === 'string' ? letter.message : JSON.stringify(letter.message, null, 2));
    return letter;
  });
}
