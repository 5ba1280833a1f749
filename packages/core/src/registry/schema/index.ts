import { z } from "zod";
import { migrate as migrateV1, RegistryFileV1Schema } from "./v1/index.js";
import { type RegistryFileV2, RegistryFileV2Schema } from "./v2/index.js";

/** The version this modelpool writes. */
export const REGISTRY_VERSION = 2;

export const RegistryFileSchema = z.discriminatedUnion("version", [RegistryFileV1Schema, RegistryFileV2Schema]);
export type RegistryFile = z.infer<typeof RegistryFileSchema>;
export type LatestRegistryFile = RegistryFileV2;

/** Brings a file of any known version to the latest, one migration at a time. */
export function migrateToLatest(file: RegistryFile): LatestRegistryFile {
  switch (file.version) {
    case 1:
      return migrateToLatest(migrateV1(file));
    case 2:
      return file;
    default: {
      const unreachable: never = file;
      throw new Error(`unknown registry version in ${JSON.stringify(unreachable)}`);
    }
  }
}

export { RegistryFileV1Schema, RegistryFileV2Schema };
