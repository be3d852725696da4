/** Parsing the Prometheus text format in tests (/metrics). */

/** A minimal parser of the text format, strict about what the portal writes. */
export function parsePrometheus(text: string) {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      help.set(m[1]!, m[2]!);
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) {
      type.set(m[1]!, m[2]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not a metric line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
      let lm: RegExpExecArray | null;
      let consumed = 0;
      while ((lm = re.exec(m[2]))) {
        labels[lm[1]!] = lm[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
        consumed = re.lastIndex;
      }
      if (consumed !== m[2].length) throw new Error(`bad labels: ${m[2]}`);
    }
    const base = m[1]!.replace(/_(bucket|sum|count)$/, "");
    const family = type.has(m[1]!) ? m[1]! : base;
    if (!type.has(family)) throw new Error(`sample before its TYPE line: ${line}`);
    if (!help.has(family)) throw new Error(`sample without HELP: ${line}`);
    samples.push({ name: m[1]!, labels, value: Number(m[3] === "+Inf" ? Infinity : m[3]) });
  }
  return { help, type, samples };
}
