/**
 * A small writer of the Prometheus text exposition format (version 0.0.4): counters, gauges and histograms with
 * labels, HELP and TYPE lines, escaped label values. No dependency; the portal exposes a few dozen series.
 */

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string>>;

/** A label value as the format wants it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text: backslash and line feed escaped. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k]!)}"`).join(",")}}`;
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

export interface Sample {
  labels: Labels;
  value: number;
}

/** One metric family: `# HELP`, `# TYPE`, then its samples (a family with no samples is still declared). */
export function family(name: string, type: "counter" | "gauge", help: string, samples: readonly Sample[]): string {
  const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
  for (const s of samples) lines.push(`${name}${labelText(s.labels)} ${numberText(s.value)}`);
  return lines.join("\n") + "\n";
}

/** Upper bounds (seconds) of the request-duration histogram. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Cumulative-at-render histogram of one label set. */
export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly buckets: readonly number[] = DURATION_BUCKETS) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) {
      if (v <= this.buckets[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }
}

/** A histogram family: `_bucket` lines (cumulative, `le` last among the labels, `+Inf` included), `_sum`, `_count`. */
export function histogramFamily(name: string, help: string, series: readonly { labels: Labels; histogram: Histogram }[]): string {
  const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} histogram`];
  for (const { labels, histogram: h } of series) {
    let cumulative = 0;
    h.buckets.forEach((le, i) => {
      cumulative += h.counts[i]!;
      lines.push(`${name}_bucket${labelText({ ...labels, le: String(le) })} ${cumulative}`);
    });
    lines.push(`${name}_bucket${labelText({ ...labels, le: "+Inf" })} ${h.count}`);
    lines.push(`${name}_sum${labelText(labels)} ${numberText(h.sum)}`);
    lines.push(`${name}_count${labelText(labels)} ${h.count}`);
  }
  return lines.join("\n") + "\n";
}
