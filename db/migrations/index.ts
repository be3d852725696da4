import type { Migration } from "kysely";
import * as initial from "./2026-11-26T0100_initial";

/** Every migration, keyed by its timestamped name. Add new ones here in order. */
export const migrations: Record<string, Migration> = {
  "2026-11-26T0100_initial": initial,
};
