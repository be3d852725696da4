/**
 * The province page's figures (docs/decisions/0015-one-database-per-organisation.md): the one place where a request of
 * one organisation reads other organisations' databases. It reads only what each member publishes on its own
 * statistics pages (complaintStats, corruptionStats, planTargets: counts, shares and verdicts, nothing about a case),
 * each inside runForSite(member) so every cache and key is the member's.
 */
import { activeSite, runForSite } from "~/utils/site-context.server";
import { siteDirectory, type Site } from "~/utils/sites.server";
import { complaintStats, corruptionStats } from "~/models/statistics/figures.server";
import { planTargets } from "~/models/statistics/plan-scorecard.server";
import type { MemberFigures } from "~/lib/province";
import type { Verdict } from "~/lib/plan-targets";

export interface Province {
  code: string;
  members: Site[];
}

/** The province of the organisation the request is for, with its members (by Thai name); null when there is none. */
export function currentProvince(): Province | null {
  const directory = siteDirectory();
  const site = activeSite();
  if (!directory || !site) return null;
  const own = directory.byOrganisationCode(site.code);
  const code = own?.record.province;
  if (!code) return null;
  const members = directory
    .all()
    .filter((s) => s.record.province === code)
    .sort((a, b) => a.record.nameTh.localeCompare(b.record.nameTh, "th"));
  return { code, members };
}

/** How many members are read at once (each read is a few indexed queries on its own database). */
const READ_AT_ONCE = 4;

async function memberFigures(member: Site, fy: number): Promise<MemberFigures> {
  return runForSite(member, async () => {
    const db = member.db();
    const [c, r, targets] = await Promise.all([complaintStats(db, fy), corruptionStats(db, fy), planTargets(db, fy)]);
    const verdicts: Record<string, Verdict> = {};
    for (const t of targets) verdicts[t.key] = t.verdict;
    return {
      code: member.code,
      nameTh: member.record.nameTh,
      nameEn: member.record.nameEn,
      url: `${member.publicUrl}/stats?fy=${fy}`,
      received: c.totals.received,
      closed: c.totals.completed,
      resolved: c.totals.resolved,
      forwarded: c.totals.forwarded,
      deadline: {
        resolvedInTime: c.deadline.resolvedInTime,
        explainedInTime: c.deadline.explainedInTime,
        late: c.deadline.late,
        share: c.deadline.share,
      },
      acknowledgement: { onTime: c.acknowledgement.onTime, late: c.acknowledgement.late, share: c.acknowledgement.share },
      overdueNow: c.overdueNow,
      satisfaction: { answers: c.satisfaction.answers, satisfied: c.satisfaction.satisfied, share: c.satisfaction.share },
      corruption: { received: r.total.received, completed: r.total.completed, inProgress: r.total.inProgress },
      verdicts,
    };
  });
}

/** Every member's figures for fiscal year `fy`, in the province's order. */
export async function provinceFigures(province: Province, fy: number): Promise<MemberFigures[]> {
  const out: MemberFigures[] = new Array(province.members.length);
  let next = 0;
  const worker = async () => {
    while (next < province.members.length) {
      const i = next++;
      out[i] = await memberFigures(province.members[i]!, fy);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_AT_ONCE, province.members.length) }, worker));
  return out;
}
