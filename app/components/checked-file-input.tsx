/**
 * A file input that checks each chosen file in the browser before anything is uploaded (size, number, total, type:
 * app/lib/file-check.ts), shows what was chosen (a thumbnail for a photo, name and size otherwise) and leaves out a
 * file that the server would refuse, saying why, so that a 30 MB video is never sent. Without JavaScript it is a plain
 * file input and the server does the same checks. `onFilesChecked` receives the files that passed (e.g. to offer a
 * photo's location).
 */
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "~/components/i18n";
import { checkChosenFiles, formatFileSize, type CheckedFile, type FileLimits } from "~/lib/file-check";

interface Shown extends CheckedFile {
  preview: string | null;
}

export interface CheckedFileInputProps {
  id: string;
  name: string;
  "aria-describedby"?: string;
  "aria-invalid"?: boolean;
  required?: boolean;
  accept: string;
  limits: FileLimits;
  /** Files already kept on the server from an earlier post: they count towards the number and the total. */
  kept?: { count: number; bytes: number };
  onFilesChecked?: (files: File[]) => void;
}

export function CheckedFileInput({ accept, limits, kept, onFilesChecked, ...inputProps }: CheckedFileInputProps) {
  const { t } = useTranslation();
  const [shown, setShown] = useState<Shown[]>([]);
  const [chooseAgain, setChooseAgain] = useState(false);
  const urls = useRef<string[]>([]);
  const revoke = () => {
    for (const u of urls.current) URL.revokeObjectURL(u);
    urls.current = [];
  };
  useEffect(() => revoke, []);

  const onChange = (e: React.ChangeEvent<HTMLInputElement>) => {
    const input = e.currentTarget;
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
    setShown(
      checked.map((c, i) => {
        const preview = c.isImage ? URL.createObjectURL(files[i]) : null;
        if (preview) urls.current.push(preview);
        return { ...c, preview };
      }),
    );
    setChooseAgain(cleared);
    onFilesChecked?.(cleared ? [] : good);
  };

  const refused = shown.filter((f) => f.problem !== null).length;
  const params = {
    mb: limits.maxFileBytes / (1024 * 1024),
    totalMb: limits.maxTotalBytes / (1024 * 1024),
    files: limits.maxFiles,
  };
  return (
    <>
      <input {...inputProps} type="file" multiple accept={accept} onChange={onChange} />
      <div className="chosen-files" aria-live="polite" data-testid={`chosen-${inputProps.name}`}>
        {shown.length > 0 ? (
          <>
            <p className={refused > 0 ? "field-error" : "hint"} data-testid="chosen-summary">
              {refused > 0
                ? t("files.someRefused", { count: shown.length - refused, refused })
                : t("files.allFine", { count: shown.length })}
              {chooseAgain ? ` ${t("files.chooseAgain")}` : null}
            </p>
            <ul className="chosen-list">
              {shown.map((f, i) => (
                <li key={`${i}-${f.name}`} className={f.problem ? "chosen-refused" : "chosen-ok"} data-problem={f.problem ?? undefined}>
                  {f.preview ? <img src={f.preview} alt="" className="chosen-thumb" width={56} height={56} /> : null}
                  <span className="chosen-name">
                    {f.name} <span className="muted">({formatFileSize(f.size)})</span>
                  </span>
                  {f.problem ? (
                    <span className="chosen-problem">{t(f.problem, { ...params, size: formatFileSize(f.size) })}</span>
                  ) : (
                    <span className="chosen-status">{t("files.willUpload")}</span>
                  )}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </>
  );
}
