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
