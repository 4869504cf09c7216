/** Debian's chromium, driven by playwright-core (no browser download): `.ci/run` installs it when it is missing. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

interface PageElement {
  dataset: Record<string, string | undefined>;
  click(): void;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
  width: number;
  height: number;
}

/**
 * The browser globals that functions passed to page.evaluate use, typed here because the node-side programs do not
 * load TypeScript's DOM library (it would retype fetch and Buffer for the whole suite). Inside such a function:
 * `const { document } = globalThis as unknown as InPage;`.
 */
export interface InPage {
  document: {
    querySelector(selector: string): PageElement | null;
    createElement(tag: string): PageElement;
    body: { replaceChildren(...nodes: unknown[]): void };
    documentElement: { scrollWidth: number };
  };
  innerWidth: number;
  performance: { now(): number };
  MutationObserver: new (callback: (records: unknown[], observer: { disconnect(): void }) => void) => {
    observe(target: unknown, options: { attributes: boolean; attributeFilter: string[] }): void;
  };
  uPlot: new (options: unknown, data: unknown, root: unknown) => unknown;
}
