/** Resolves after `ms` milliseconds, on the caller's own timer (Workers and Node alike). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
