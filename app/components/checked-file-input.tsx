/**
 * A file input checked in the browser before anything is uploaded (app/enhance/file-input.ts does the work, on React
 * pages and on pages without React alike). Without JavaScript it is a plain file input and the server does the same
 * checks.
 */
import { useEffect, useRef } from "react";
import { useTranslation } from "~/components/i18n";
import { chosenListId, enhanceFileInput, type FileCheckConfig } from "~/enhance/file-input";
import type { FileLimits } from "~/lib/file-check";

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
}

export function CheckedFileInput({ accept, limits, kept, ...inputProps }: CheckedFileInputProps) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const config: FileCheckConfig = kept ? { limits, kept } : { limits };
  useEffect(() => (input.current ? enhanceFileInput(input.current, t) : undefined), [t]);
  return (
    <>
      <input {...inputProps} ref={input} type="file" multiple accept={accept} data-file-check={JSON.stringify(config)} />
      <div className="chosen-files" id={chosenListId(inputProps.id)} aria-live="polite" data-testid={`chosen-${inputProps.name}`} />
    </>
  );
}
