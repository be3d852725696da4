import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import {
  FlowBarChart,
  HBarChart,
  ShareMeter,
  breakdownSummary,
  clampShare,
  fitLabel,
  labelCells,
  niceScale,
  peakIndex,
  scaleLinear,
  total,
} from "~/components/charts";

describe("niceScale", () => {
  it("gives 0–1 for no data", () => {
    expect(niceScale(0)).toEqual({ max: 1, ticks: [0, 1] });
    expect(niceScale(-3)).toEqual({ max: 1, ticks: [0, 1] });
    expect(niceScale(Number.NaN)).toEqual({ max: 1, ticks: [0, 1] });
  });
  it("uses whole steps of 1, 2 or 5 × 10^k and a top tick at or above the largest value", () => {
    expect(niceScale(3)).toEqual({ max: 3, ticks: [0, 1, 2, 3] });
    expect(niceScale(4)).toEqual({ max: 4, ticks: [0, 1, 2, 3, 4] });
    expect(niceScale(7)).toEqual({ max: 8, ticks: [0, 2, 4, 6, 8] });
    expect(niceScale(10)).toEqual({ max: 10, ticks: [0, 5, 10] });
    expect(niceScale(11)).toEqual({ max: 15, ticks: [0, 5, 10, 15] });
    expect(niceScale(37)).toEqual({ max: 40, ticks: [0, 10, 20, 30, 40] });
    expect(niceScale(100)).toEqual({ max: 100, ticks: [0, 50, 100] });
    expect(niceScale(1234)).toEqual({ max: 1500, ticks: [0, 500, 1000, 1500] });
  });
  it("rounds fractional maxima up and always starts at 0 with equal steps", () => {
    for (const m of [0.4, 1, 2.5, 9, 11, 19, 99, 101, 999_999]) {
      const s = niceScale(m);
      expect(s.ticks[0]).toBe(0);
      expect(s.ticks[s.ticks.length - 1]).toBe(s.max);
      expect(s.max).toBeGreaterThanOrEqual(Math.ceil(m));
      const steps = s.ticks.slice(1).map((v, i) => v - s.ticks[i]!);
      expect(new Set(steps).size).toBe(1);
      expect(Number.isInteger(steps[0])).toBe(true);
      expect(s.ticks.length).toBeLessThanOrEqual(6);
    }
  });
});

describe("scaleLinear", () => {
  it("maps values proportionally and clamps", () => {
    expect(scaleLinear(5, 10, 200)).toBe(100);
    expect(scaleLinear(0, 10, 200)).toBe(0);
    expect(scaleLinear(-1, 10, 200)).toBe(0);
    expect(scaleLinear(20, 10, 200)).toBe(200);
    expect(scaleLinear(3, 0, 200)).toBe(0);
  });
});

describe("labels", () => {
  it("counts Thai combining marks as zero width", () => {
    expect(labelCells("ถนน")).toBe(3);
    expect(labelCells("ไฟฟ้า")).toBe(4); // ไ ฟ ฟ ้ า: the tone mark takes no cell
    expect(labelCells("น้ำ")).toBe(2); // น ้ ำ
  });
  it("keeps short labels and cuts long ones with an ellipsis without orphaning marks", () => {
    expect(fitLabel("ถนน/ทางเท้า", 20)).toBe("ถนน/ทางเท้า");
    const cut = fitLabel("กองช่าง งานซ่อมบำรุงถนนและไฟฟ้าสาธารณะ", 10);
    expect(cut.endsWith("…")).toBe(true);
    expect(labelCells(cut)).toBeLessThanOrEqual(10);
    expect(cut.startsWith("กองช่าง")).toBe(true);
    // the mark after the last kept consonant stays with it
    expect(fitLabel("ผู้ใหญ่บ้าน", 3)).toBe("ผู้ใ…");
    expect(fitLabel("Division of Public Works", 10)).toBe("Division…");
  });
});

describe("summaries", () => {
  it("finds the largest value (first on ties) or none", () => {
    expect(peakIndex([0, 3, 7, 7, 1])).toBe(2);
    expect(peakIndex([0, 0])).toBeNull();
    expect(peakIndex([])).toBeNull();
    expect(total([1, 2, 3])).toBe(6);
  });
  it("describes a breakdown by its largest row", () => {
    expect(breakdownSummary(["a", "b", "c"], [1, 6, 3])).toEqual({ total: 10, top: { label: "b", value: 6, share: 0.6 }, nonZero: 3 });
    expect(breakdownSummary(["a"], [0])).toEqual({ total: 0, top: null, nonZero: 0 });
  });
  it("clamps shares", () => {
    expect(clampShare(1.2)).toBe(1);
    expect(clampShare(-0.1)).toBe(0);
    expect(clampShare(null)).toBeNull();
    expect(clampShare(Number.NaN)).toBeNull();
  });
});

describe("rendered SVG", () => {
  const noStyle = (svg: string) => {
    expect(svg).not.toMatch(/\sstyle=/);
    expect(svg).not.toMatch(/<script/i);
    expect(svg).not.toMatch(/<foreignObject/i);
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  };

  it("monthly chart: role=img, title and desc, viewBox, one stacked bar per month", () => {
    const svg = renderToStaticMarkup(
      createElement(FlowBarChart, {
        id: "m",
        title: "เรื่องร้องทุกข์รายเดือน",
        desc: "รับ 9 เรื่อง มากที่สุดเดือน พ.ย.",
        bars: [
          { label: "ต.ค.", completed: 2, inProgress: 1 },
          { label: "พ.ย.", completed: 0, inProgress: 6 },
          { label: "ธ.ค.", completed: 0, inProgress: 0 },
        ],
        legend: { completed: "ดำเนินการแล้วเสร็จ", inProgress: "อยู่ระหว่างดำเนินการ" },
      }),
    );
    expect(svg).toMatch(/^<svg[^>]*role="img"/);
    expect(svg).toMatch(/aria-labelledby="m-title m-desc"/);
    expect(svg).toMatch(/viewBox="0 0 640 300"/);
    expect(svg).toContain('<title id="m-title">เรื่องร้องทุกข์รายเดือน</title>');
    expect(svg).toContain('<desc id="m-desc">รับ 9 เรื่อง มากที่สุดเดือน พ.ย.</desc>');
    for (const m of ["ต.ค.", "พ.ย.", "ธ.ค."]) expect(svg).toContain(`>${m}</text>`);
    // totals above the bars: 3 and 6; nothing above the empty month
    expect(svg).toMatch(/font-weight="bold"[^>]*>3<\/text>/);
    expect(svg).toMatch(/font-weight="bold"[^>]*>6<\/text>/);
    // bar 0 has a solid and an outlined part, bar 1 only outlined, bar 2 none
    const bar = (i: number) => new RegExp(`<g data-bar="${i}">([\\s\\S]*?)</g>`).exec(svg)![1]!;
    expect(bar(0).match(/<rect/g)).toHaveLength(2);
    expect(bar(1).match(/<rect/g)).toHaveLength(1);
    expect(bar(1)).toContain('fill="#ffffff"');
    expect(bar(2)).not.toContain("<rect");
    // axis 0..6 in steps of 2
    for (const t of ["0", "2", "4", "6"]) expect(svg).toContain(`text-anchor="end">${t}</text>`);
    noStyle(svg);
  });

  it("horizontal bars: full labels shortened, values after bars, solid part for the completed share", () => {
    const svg = renderToStaticMarkup(
      createElement(HBarChart, {
        id: "c",
        title: "ตามประเภทเรื่อง",
        desc: "มากที่สุด: ถนน",
        rows: [
          { label: "ถนน/ทางเท้า", total: 10, part: 4 },
          { label: "หมวดที่มีชื่อยาวมากเกินกว่าจะแสดงได้ครบในแผนภูมิ", total: 0, part: 0 },
        ],
        legend: { solid: "แล้วเสร็จ", outline: "ระหว่างดำเนินการ" },
        formatNumber: (n) => n.toLocaleString("th-TH"),
      }),
    );
    expect(svg).toMatch(/role="img"/);
    expect(svg).toContain(">ถนน/ทางเท้า</text>");
    expect(svg).toContain("…</text>");
    const row0 = /<g data-row="0">([\s\S]*?)<\/g>/.exec(svg)![1]!;
    expect(row0.match(/<rect/g)).toHaveLength(2);
    expect(row0).toContain(">10</text>");
    const row1 = /<g data-row="1">([\s\S]*?)<\/g>/.exec(svg)![1]!;
    expect(row1).not.toContain("<rect");
    expect(row1).toContain(">0</text>");
    noStyle(svg);
  });

  it("meter: filled share, dashed target line, no-data text", () => {
    const svg = renderToStaticMarkup(
      createElement(ShareMeter, {
        id: "s",
        title: "ความพึงพอใจ",
        desc: "75%",
        share: 0.75,
        valueText: "75%",
        target: 0.8,
        targetText: "เป้าหมาย 80%",
        noDataText: "ยังไม่มีคำตอบ",
      }),
    );
    expect(svg).toMatch(/role="img"/);
    expect(svg).toContain(">75%</text>");
    expect(svg).toContain('stroke-dasharray="5 3"');
    expect(svg).toContain(">เป้าหมาย 80%</text>");
    // 624 units long: 75% = 468, target line at 8 + 499.2
    expect(svg).toContain('width="468"');
    expect(svg).toContain('x1="507.2"');
    noStyle(svg);

    const empty = renderToStaticMarkup(
      createElement(ShareMeter, { id: "e", title: "t", desc: "d", share: null, valueText: "–", target: 0.8, noDataText: "ยังไม่มีคำตอบ" }),
    );
    expect(empty).toContain(">ยังไม่มีคำตอบ</text>");
    expect(empty.match(/<rect/g)).toHaveLength(1);
  });
});
