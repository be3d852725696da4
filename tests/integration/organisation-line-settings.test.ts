/**
 * An organisation's LINE settings in the platform database (a real SQLite file): sealed with a key of that
 * organisation's own (another organisation's key id, or another installation's master key, opens nothing), and a
 * running server's list of organisations takes a change at its next reading (SiteDirectory.refresh, every minute).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openOrganisationStorage, preparePlatform, recordOrganisation, recordOrganisationLine } from "../../db/platform";
import { SiteDirectory, openLineSettings, sealLineSettings } from "~/utils/sites.server";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-line-settings-"));
const storage = openOrganisationStorage({ DATA_DIR: dir });
const master = crypto.randomBytes(32);

afterAll(async () => {
  await storage.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("an organisation's LINE settings", () => {
  it("are sealed to the organisation and the installation, and followed by the next reading of the list", async () => {
    await preparePlatform(storage);
    const a = await recordOrganisation(storage.platform, { code: "wangluek", nameTh: "วังลึก", nameEn: "Wang Luek", hosts: ["a.localhost"] });
    const b = await recordOrganisation(storage.platform, { code: "nongbua", nameTh: "หนองบัว", nameEn: "Nong Bua", hosts: ["b.localhost"] });
    const settings = {
      channelSecret: crypto.randomBytes(16).toString("hex"),
      accessToken: `token-${crypto.randomUUID()}`,
      oaId: "@wangluek",
    };
    const sealed = sealLineSettings(master, a.keyId, settings);
    expect(sealed).not.toContain(settings.channelSecret);
    expect(sealed).not.toContain(settings.accessToken);
    expect(openLineSettings(master, a.keyId, sealed)).toEqual(settings);
    expect(() => openLineSettings(master, b.keyId, sealed)).toThrow();
    expect(() => openLineSettings(crypto.randomBytes(32), a.keyId, sealed)).toThrow();

    const directory = new SiteDirectory(storage, () => master, "disk", "host");
    await directory.refresh();
    const siteA = directory.byOrganisationCode("wangluek")!;
    expect(siteA.lineSettings()).toBeNull();

    await recordOrganisationLine(storage.platform, "wangluek", sealed);
    expect(siteA.lineSettings()).toBeNull(); // until the list is read again
    await directory.refresh();
    expect(directory.byOrganisationCode("wangluek")).toBe(siteA); // the same organisation, its caches kept
    expect(siteA.lineSettings()).toEqual(settings);
    expect(directory.byOrganisationCode("nongbua")!.lineSettings()).toBeNull();

    // A new token replaces the old one; --off removes it.
    const rotated = { ...settings, accessToken: `token-${crypto.randomUUID()}` };
    await recordOrganisationLine(storage.platform, "wangluek", sealLineSettings(master, a.keyId, rotated));
    await directory.refresh();
    expect(siteA.lineSettings()).toEqual(rotated);
    await recordOrganisationLine(storage.platform, "wangluek", null);
    await directory.refresh();
    expect(siteA.lineSettings()).toBeNull();
  });
});
