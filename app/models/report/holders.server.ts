/**
 * Who holds a report's key (its recipients fixed at filing, and anyone a recipient later gave access to), kept
 * encrypted with the report key in reports.holders: recipients see it on the report page, notices of the reporter's
 * messages go to them; the database alone does not say who they are.
 */
import { openJson, sealJson } from "./crypto.server";
import type { SealedRecipient } from "./shared.server";

export interface ReportHolder extends SealedRecipient {
  /** How they came to hold it. */
  via: "filing" | "grant" | "migration";
  /** The holder who gave access (grants). */
  grantedBy?: number;
}

const aad = (publicId: string) => `report:${publicId}:holders`;

export function sealHolders(key: Buffer, publicId: string, holders: readonly ReportHolder[]): string {
  return sealJson(key, holders, aad(publicId));
}

export function openHolders(key: Buffer, publicId: string, sealed: string): ReportHolder[] {
  return sealed ? openJson<ReportHolder[]>(key, sealed, aad(publicId)) : [];
}
