/** Stops the FerretDB the global set-up started (if it did) and removes its files. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.vigilFerretDb?.stop();
  globalThis.vigilFerretDb = undefined;
}
