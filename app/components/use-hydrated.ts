import { useEffect, useState } from "react";

/** False during the server render and the first browser render: for parts of a React page that need JavaScript. */
export function useHydrated() {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
