/**
 * A file input that checks each chosen file in the browser before anything is uploaded (size, number, total, type:
 * app/lib/file-check.ts), shows what was chosen (a thumbnail for a photo, name and size otherwise) and leaves out a
 * file the server would refuse, saying why, so that a 30 MB video is never sent. Without JavaScript it is a plain file
 * input and the server makes the same checks.
 *
 * The input carries its limits in `data-file-check` (JSON: limits and the files the server already kept) and the list
 * goes into the element with id `<input id>-chosen` (both rendered by components/checked-file-input.tsx).
 */
import { checkChosenFiles, formatFileSize, type FileLimits } from "~/lib/file-check";
import { el, fill, type Translate } from "~/enhance/dom";

export interface FileCheckConfig {
  limits: FileLimits;
  kept?: { count: number; bytes: number };
}

/** The id of the element that lists an input's chosen files. */
export function chosenListId(inputId: string) {
  return `${inputId}-chosen`;
}

/** Starts checking the input's files; returns a function that stops it. */
export function enhanceFileInput(input: HTMLInputElement, t: Translate): () => void {
  const list = document.getElementById(chosenListId(input.id));
  let config: FileCheckConfig;
  try {
    config = JSON.parse(input.dataset.fileCheck ?? "") as FileCheckConfig;
  } catch {
    return () => {};
  }
  const accept = input.accept;
  const { limits, kept } = config;
  const params = { mb: limits.maxFileBytes / (1024 * 1024), totalMb: limits.maxTotalBytes / (1024 * 1024), files: limits.maxFiles };
  let urls: string[] = [];
  const revoke = () => {
    for (const u of urls) URL.revokeObjectURL(u);
    urls = [];
  };

  const onChange = () => {
    const files = Array.from(input.files ?? []);
    const checked = checkChosenFiles(files, limits, accept, kept);
    const good = files.filter((_, i) => checked[i].problem === null);
    let cleared = false;
    if (good.length !== files.length) {
      try {
        const keep = new DataTransfer();
        for (const f of good) keep.items.add(f);
        input.files = keep.files;
      } catch {
        // A browser that cannot take files out of the input: empty it rather than upload a refused file.
        input.value = "";
        cleared = true;
      }
    }
    revoke();
    if (!list) return;
    if (files.length === 0) {
      fill(list);
      return;
    }
    const refused = checked.filter((c) => c.problem !== null).length;
    const summary =
      refused > 0 ? t("files.someRefused", { count: files.length - refused, refused }) : t("files.allFine", { count: files.length });
    fill(
      list,
      el("p", {
        className: refused > 0 ? "field-error" : "hint",
        testid: "chosen-summary",
        text: cleared ? `${summary} ${t("files.chooseAgain")}` : summary,
      }),
      el(
        "ul",
        { className: "chosen-list" },
        ...checked.map((c, i) => {
          let thumb: HTMLImageElement | null = null;
          if (c.isImage) {
            const url = URL.createObjectURL(files[i]);
            urls.push(url);
            thumb = el("img", { className: "chosen-thumb", attrs: { src: url, alt: "", width: "56", height: "56" } });
          }
          return el(
            "li",
            { className: c.problem ? "chosen-refused" : "chosen-ok", attrs: c.problem ? { "data-problem": c.problem } : {} },
            thumb,
            el("span", { className: "chosen-name" }, `${c.name} `, el("span", { className: "muted", text: `(${formatFileSize(c.size)})` })),
            c.problem
              ? el("span", { className: "chosen-problem", text: t(c.problem, { ...params, size: formatFileSize(c.size) }) })
              : el("span", { className: "chosen-status", text: t("files.willUpload") }),
          );
        }),
      ),
    );
  };
  input.addEventListener("change", onChange);
  return () => {
    input.removeEventListener("change", onChange);
    revoke();
  };
}
