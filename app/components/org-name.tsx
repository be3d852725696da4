import { useRootData } from "~/components/root-data";

/**
 * The organisation's name in Thai and English (from the root loader): the plan's measures name the organisation
 * ("…of {{org}}"), and an installation may serve several.
 */
export function useOrgNames(): { th: string; en: string } {
  const data = useRootData();
  return { th: data?.org.nameTh ?? "", en: data?.org.nameEn ?? "" };
}
