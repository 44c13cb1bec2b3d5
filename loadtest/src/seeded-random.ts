/**
 * A small seeded generator (xorshift32) of numbers in [0, 1): the same seed gives the same
 * sequence, so sample reports and bootstrap intervals can be reproduced exactly.
 */
export const createSeededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
};
