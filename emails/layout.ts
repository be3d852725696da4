/**
 * Renders an e-mail as plain text and HTML with every value escaped. Notices to citizens carry Thai first and
 * English second, so whoever reads them at home can understand them.
 */
export interface EmailSection {
  heading: string;
  paragraphs: string[];
  /** Label/value rows shown as a small table (reference, due date …). */
  facts?: { label: string; value: string }[];
  /** Paragraphs after the facts (e.g. "and 12 more", a link). */
  after?: string[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Builds {text, html} from one section per language (first section is the primary language). */
export function renderBilingualEmail(sections: EmailSection[], footer: string): { text: string; html: string } {
  const text = sections
    .map((s) =>
      [
        s.heading,
        "=".repeat(Math.min(60, s.heading.length)),
        "",
        ...s.paragraphs.flatMap((p) => [p, ""]),
        ...(s.facts ?? []).map((f) => `${f.label}: ${f.value}`),
        ...(s.after ?? []).flatMap((p) => ["", p]),
      ].join("\n"),
    )
    .join("\n\n----------------------------------------\n\n")
    .concat(`\n\n--\n${footer}\n`);
  const html = `<!doctype html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif;line-height:1.5;color:#1a1a1a">${sections
    .map(
      (s, i) =>
        `<section${i > 0 ? ' style="border-top:1px solid #ccc;margin-top:24px;padding-top:16px"' : ""}><h2>${escapeHtml(s.heading)}</h2>${s.paragraphs
          .map((p) => `<p>${escapeHtml(p)}</p>`)
          .join("")}${
          s.facts?.length
            ? `<table cellpadding="4">${s.facts.map((f) => `<tr><th align="left">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`).join("")}</table>`
            : ""
        }${(s.after ?? []).map((p) => `<p>${escapeHtml(p)}</p>`).join("")}</section>`,
    )
    .join("")}<hr><p style="color:#555;font-size:small">${escapeHtml(footer)}</p></body></html>`;
  return { text, html };
}
