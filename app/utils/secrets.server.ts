import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const secretsSchema = z.object({
  version: z.literal(1),
  /** Key for HMAC of tracking codes (pepper). */
  trackingPepper: z.string().min(43),
  /** Key that derives tracking codes from one-time submission keys (idempotent re-posts). */
  trackingDerivation: z.string().min(43),
  /** AES-256-GCM key for outbox payloads at rest. */
  outboxKey: z.string().min(43),
});

export type Secrets = z.infer<typeof secretsSchema>;

const random = () => crypto.randomBytes(32).toString("base64url");

/** Reads `<dataDir>/keys/secrets.json`, creating it (mode 0600) with fresh random keys on first start. Never prints them. */
export function loadOrCreateSecrets(dataDir: string): Secrets {
  const dir = path.join(dataDir, "keys");
  const file = path.join(dir, "secrets.json");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(file)) {
    const fresh: Secrets = { version: 1, trackingPepper: random(), trackingDerivation: random(), outboxKey: random() };
    try {
      fs.writeFileSync(file, JSON.stringify(fresh, null, 2) + "\n", { mode: 0o600, flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  const parsed = secretsSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`The secrets file ${file} is damaged; restore it from backup.`);
  return parsed.data;
}
