/**
 * Server-rendered SVG charts for the statistics pages: no client JavaScript, no CDN, no inline styles (the CSP allows
 * stylesheets from 'self' only, so every colour and size is a presentation attribute such as fill= or stroke=).
 *
 * Each chart is an <svg role="img"> named by its <title> and <desc> (a one-line summary), scales with its viewBox and
 * reads in black-and-white print: "completed" is a solid dark bar, "in progress" a white bar with a dark outline, the
 * target a dashed line. The same figures are always shown in a table beside the chart, so the chart is never the only
 * way to read a number.
 *
 * The pure helpers (scales, ticks, label fitting, summaries) are exported for unit tests.
 */

/** Colours chosen to stay distinct in greyscale: a dark solid fill against white with a dark outline. */
export const CHART_INK = "#1a1a1a";
export const CHART_SOLID = "#0b5e3c";
export const CHART_GRID = "#b8b8b8";
export const CHART_PAPER = "#ffffff";

// ---------------------------------------------------------------------------------------------------------------
// Pure helpers

export interface NiceScale {
  /** Top of the axis (≥ the largest value, and at least 1). */
  max: number;
  /** Tick values from 0 to max, evenly spaced. */
  ticks: number[];
}

/**
 * An axis for whole counts: ticks at 1, 2 or 5 × 10^k, about `target` intervals, top tick ≥ the largest value.
 * All-zero data gives the axis 0–1, so an empty chart still has a scale.
 */
export function niceScale(maxValue: number, target = 4): NiceScale {
  const m = Number.isFinite(maxValue) && maxValue > 0 ? Math.ceil(maxValue) : 0;
  if (m <= 0) return { max: 1, ticks: [0, 1] };
  const raw = m / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = mag;
  for (const f of [1, 2, 5, 10]) {
    if (f * mag >= raw) {
      step = f * mag;
      break;
    }
  }
  step = Math.max(1, Math.round(step));
  const max = Math.ceil(m / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= max; v += step) ticks.push(v);
  return { max, ticks };
}

/** Length of `value` on an axis of `length` units whose top is `max` (clamped to 0..length). */
export function scaleLinear(value: number, max: number, length: number): number {
  if (!(max > 0) || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(length, (value / max) * length);
}

/** Thai combining marks (above/below vowels, tone marks): they take no width of their own. */
const COMBINING = /[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E\u0300-\u036F]/;

/** Number of character cells a label takes (combining marks count 0). */
export function labelCells(label: string): number {
  let n = 0;
  for (const ch of label) if (!COMBINING.test(ch)) n++;
  return n;
}

/**
 * The label cut to at most `maxCells` character cells with "…" when it is longer. The cut never separates a Thai
 * consonant from its vowel or tone marks. The full label is always in the table beside the chart.
 */
export function fitLabel(label: string, maxCells: number): string {
  if (labelCells(label) <= maxCells) return label;
  const keep = Math.max(1, maxCells - 1);
  let out = "";
  let n = 0;
  for (const ch of label) {
    if (COMBINING.test(ch)) {
      if (n > 0) out += ch;
      continue;
    }
    if (n === keep) break;
    out += ch;
    n++;
  }
  return `${out.trimEnd()}…`;
}

/** Index of the largest value (the first one on ties), or null when every value is 0 or the list is empty. */
export function peakIndex(values: readonly number[]): number | null {
  let best: number | null = null;
  values.forEach((v, i) => {
    if (v > 0 && (best === null || v > values[best]!)) best = i;
  });
  return best;
}

/** Sum of a list. */
export function total(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Clamps a share to 0..1 (null stays null). */
export function clampShare(s: number | null): number | null {
  if (s === null || !Number.isFinite(s)) return null;
  return Math.max(0, Math.min(1, s));
}

/**
 * The figures a one-line summary of a breakdown needs: total, the largest row and its share of the total.
 * `labels[i]` names `values[i]`.
 */
export function breakdownSummary(
  labels: readonly string[],
  values: readonly number[],
): { total: number; top: { label: string; value: number; share: number } | null; nonZero: number } {
  const sum = total(values);
  const i = peakIndex(values);
  return {
    total: sum,
    top: i === null ? null : { label: labels[i]!, value: values[i]!, share: values[i]! / sum },
    nonZero: values.filter((v) => v > 0).length,
  };
}

/** Rounds to at most one decimal, for SVG coordinates (keeps the markup short and stable). */
export function r1(n: number): number {
  return Math.round(n * 10) / 10;
}

// ---------------------------------------------------------------------------------------------------------------
// Components

interface ChartFrameProps {
  /** Unique id on the page (prefix of the title and desc ids). */
  id: string;
  title: string;
  /** One-line summary of what the chart shows. */
  desc: string;
  width: number;
  height: number;
  className?: string;
  children: React.ReactNode;
}

function ChartFrame({ id, title, desc, width, height, className, children }: ChartFrameProps) {
  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      preserveAspectRatio="xMinYMin meet"
      className={className ? `chart ${className}` : "chart"}
      data-chart={id}
      fontSize="14"
      fill={CHART_INK}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{desc}</desc>
      {children}
    </svg>
  );
}

/** Legend entries: a solid swatch and an outlined swatch. */
function Legend({ x, y, solid, outline }: { x: number; y: number; solid: string; outline?: string }) {
  const gap = 12 + labelCells(solid) * 8.5 + 24;
  return (
    <g aria-hidden="true">
      <rect x={x} y={y - 10} width={12} height={12} fill={CHART_SOLID} stroke={CHART_INK} strokeWidth={1} />
      <text x={x + 17} y={y}>
        {solid}
      </text>
      {outline ? (
        <>
          <rect x={x + gap} y={y - 10} width={12} height={12} fill={CHART_PAPER} stroke={CHART_INK} strokeWidth={1.5} />
          <text x={x + gap + 17} y={y}>
            {outline}
          </text>
        </>
      ) : null}
    </g>
  );
}

export interface FlowBar {
  /** Short label under the bar (e.g. "ต.ค."). */
  label: string;
  /** The solid, lower part (completed). */
  completed: number;
  /** The outlined, upper part (in progress). */
  inProgress: number;
}

/**
 * Monthly stacked bars: each bar is the number received, split into completed (solid, bottom) and in progress
 * (outlined, top), with the number received written above it.
 */
export function FlowBarChart({
  id,
  title,
  desc,
  bars,
  legend,
  formatNumber = String,
}: {
  id: string;
  title: string;
  desc: string;
  bars: readonly FlowBar[];
  legend: { completed: string; inProgress: string };
  formatNumber?: (n: number) => string;
}) {
  const W = 640;
  const H = 300;
  const left = 44;
  const right = 8;
  const top = 42;
  const bottom = 32;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const scale = niceScale(Math.max(0, ...bars.map((b) => b.completed + b.inProgress)));
  const band = plotW / Math.max(1, bars.length);
  const barW = Math.min(40, band * 0.62);
  const y = (v: number) => r1(top + plotH - scaleLinear(v, scale.max, plotH));
  return (
    <ChartFrame id={id} title={title} desc={desc} width={W} height={H} className="chart-flow">
      <Legend x={left} y={16} solid={legend.completed} outline={legend.inProgress} />
      <g aria-hidden="true">
        {scale.ticks.map((t) => (
          <g key={t}>
            <line
              x1={left}
              x2={W - right}
              y1={y(t)}
              y2={y(t)}
              stroke={CHART_GRID}
              strokeWidth={t === 0 ? 1.5 : 1}
              strokeDasharray={t === 0 ? undefined : "3 3"}
            />
            <text x={left - 6} y={y(t) + 4} textAnchor="end">
              {formatNumber(t)}
            </text>
          </g>
        ))}
      </g>
      <g aria-hidden="true">
        {bars.map((b, i) => {
          const received = b.completed + b.inProgress;
          const x = r1(left + i * band + (band - barW) / 2);
          const cx = r1(left + i * band + band / 2);
          const yDone = y(b.completed);
          const yAll = y(received);
          const base = y(0);
          return (
            <g key={i} data-bar={i}>
              {b.completed > 0 ? (
                <rect x={x} y={yDone} width={r1(barW)} height={r1(base - yDone)} fill={CHART_SOLID} stroke={CHART_INK} strokeWidth={1} />
              ) : null}
              {b.inProgress > 0 ? (
                <rect x={x} y={yAll} width={r1(barW)} height={r1(yDone - yAll)} fill={CHART_PAPER} stroke={CHART_INK} strokeWidth={1.5} />
              ) : null}
              {received > 0 ? (
                <text x={cx} y={yAll - 4} textAnchor="middle" fontWeight="bold">
                  {formatNumber(received)}
                </text>
              ) : null}
              <text x={cx} y={H - bottom + 18} textAnchor="middle">
                {b.label}
              </text>
            </g>
          );
        })}
      </g>
    </ChartFrame>
  );
}

export interface HBar {
  label: string;
  /** Length of the bar. */
  total: number;
  /** Solid part at the start of the bar (e.g. completed); the rest is outlined. Omitted: the whole bar is solid. */
  part?: number;
}

/** Horizontal bars, one per row (by category, channel, division, village), with the value after each bar. */
export function HBarChart({
  id,
  title,
  desc,
  rows,
  legend,
  formatNumber = String,
  labelCellsMax = 22,
}: {
  id: string;
  title: string;
  desc: string;
  rows: readonly HBar[];
  legend?: { solid: string; outline?: string };
  formatNumber?: (n: number) => string;
  labelCellsMax?: number;
}) {
  const W = 640;
  const rowH = 26;
  const top = legend ? 30 : 8;
  const labelW = 196;
  const valueW = 56;
  const plotW = W - labelW - valueW - 8;
  const H = top + Math.max(1, rows.length) * rowH + 8;
  const scale = niceScale(Math.max(0, ...rows.map((r) => r.total)));
  return (
    <ChartFrame id={id} title={title} desc={desc} width={W} height={H} className="chart-hbar">
      {legend ? <Legend x={labelW} y={16} solid={legend.solid} outline={legend.outline} /> : null}
      <g aria-hidden="true">
        <line x1={labelW} x2={labelW} y1={top - 4} y2={H - 6} stroke={CHART_INK} strokeWidth={1} />
        {rows.map((row, i) => {
          const y0 = top + i * rowH;
          const whole = r1(scaleLinear(row.total, scale.max, plotW));
          const solid = row.part === undefined ? whole : r1(scaleLinear(Math.min(row.part, row.total), scale.max, plotW));
          return (
            <g key={i} data-row={i}>
              <text x={labelW - 8} y={y0 + 17} textAnchor="end">
                {fitLabel(row.label, labelCellsMax)}
              </text>
              {whole > solid ? (
                <rect x={labelW} y={y0 + 4} width={whole} height={rowH - 8} fill={CHART_PAPER} stroke={CHART_INK} strokeWidth={1.5} />
              ) : null}
              {solid > 0 ? (
                <rect x={labelW} y={y0 + 4} width={solid} height={rowH - 8} fill={CHART_SOLID} stroke={CHART_INK} strokeWidth={1} />
              ) : null}
              <text x={labelW + whole + 6} y={y0 + 17}>
                {formatNumber(row.total)}
              </text>
            </g>
          );
        })}
      </g>
    </ChartFrame>
  );
}

/**
 * A percentage meter: the share as a solid bar on a 0–100% outline, with the target as a dashed line. `share` null
 * draws the empty outline and `noDataText` in place of the value.
 */
export function ShareMeter({
  id,
  title,
  desc,
  share,
  valueText,
  target,
  targetText,
  noDataText,
}: {
  id: string;
  title: string;
  desc: string;
  /** 0..1, or null when there is no data. */
  share: number | null;
  /** The share as text, e.g. "85.7%". */
  valueText: string;
  /** 0..1 (e.g. 0.8). */
  target?: number;
  targetText?: string;
  noDataText: string;
}) {
  const W = 640;
  const H = 78;
  const x0 = 8;
  const len = W - 2 * x0;
  const s = clampShare(share);
  const filled = s === null ? 0 : r1(len * s);
  const tx = target === undefined ? null : r1(x0 + len * Math.max(0, Math.min(1, target)));
  return (
    <ChartFrame id={id} title={title} desc={desc} width={W} height={H} className="chart-meter">
      <g aria-hidden="true">
        <text x={x0} y={16} fontWeight="bold">
          {s === null ? noDataText : valueText}
        </text>
        <rect x={x0} y={24} width={len} height={22} fill={CHART_PAPER} stroke={CHART_INK} strokeWidth={1.5} />
        {filled > 0 ? <rect x={x0} y={24} width={filled} height={22} fill={CHART_SOLID} stroke={CHART_INK} strokeWidth={1} /> : null}
        {tx !== null ? (
          <>
            <line x1={tx} x2={tx} y1={18} y2={52} stroke={CHART_INK} strokeWidth={2.5} strokeDasharray="5 3" />
            {targetText ? (
              <text x={tx} y={68} textAnchor="middle">
                {targetText}
              </text>
            ) : null}
          </>
        ) : null}
        <text x={x0} y={68}>
          0%
        </text>
        <text x={W - x0} y={68} textAnchor="end">
          100%
        </text>
      </g>
    </ChartFrame>
  );
}
