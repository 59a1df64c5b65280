import { ORDERS_DATABASE_SETTING, createOrderLookupSkill } from './order-lookup.js';

/**
 * The code skills of support triage, ready for `TROUPE_SKILLS_MODULE=packages/skills/src/triage-skills.ts`:
 * `order-lookup` on the database named by `TROUPE_ORDERS_DATABASE_URL` (table `TROUPE_ORDERS_TABLE`,
 * default `orders`). Without the setting the worker still starts; each lookup then fails with
 * CONFIG_INVALID naming it.
 */
export default function triageSkills(env: NodeJS.ProcessEnv = process.env) {
  return [
    createOrderLookupSkill({
      connectionString: env[ORDERS_DATABASE_SETTING],
      ...(env.TROUPE_ORDERS_TABLE ? { table: env.TROUPE_ORDERS_TABLE } : {}),
    }),
  ];
}
