import { readSeedFile, type OrgSeed } from "../../db/seed";

/**
 * The organisation seed as a database migrated only part of the way can take it: tests that stop the migrations
 * before 2026-12-20T0100_map seed without the map columns that migration adds.
 */
export function seedBeforeMapColumns(): OrgSeed {
  const seed = readSeedFile();
  const { map_centre_lat: _lat, map_centre_lng: _lng, map_zoom: _zoom, ...profile } = seed.profile;
  return { ...seed, profile };
}
