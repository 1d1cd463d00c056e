/**
 * Upper bounds shared by every model source (catalog, config.json, GGUF). No real checkpoint comes
 * near them; past them the input is corrupt, not big, and the parsers say so instead of computing.
 */
export const maxDim = 1 << 20;
export const maxLayers = 10_000;
export const maxHeads = 1 << 16;
export const maxVocab = 1 << 24;
export const maxPositions = 1 << 30;
export const maxExperts = 1 << 16;
export const maxRopeFactor = 10_000;

/**
 * Why a RoPE-scaled window (original × factor, the window the risk engine derives) is not credible,
 * or undefined when it is: past {@link maxPositions} tokens the fields are corrupt (an original of
 * 2^30 beside a factor of 4, a YaRN factor of 10,000). Names both fields so the user can find them.
 */
export function scaledWindowProblem(factorField: string, factor: number, originalField: string, original: number): string | undefined {
  const scaled = Math.floor(original * factor);
  if (scaled <= maxPositions) return undefined;
  return `"${factorField}" ${factor} × "${originalField}" ${original.toLocaleString('en-US')} gives a ${scaled.toLocaleString('en-US')}-token window, more than the ${maxPositions.toLocaleString('en-US')} tokens any model can have`;
}
