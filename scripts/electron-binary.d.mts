/** A runnable Electron binary's path, or null where none is installed (it is never downloaded). */
export function findElectronBinary(env?: NodeJS.ProcessEnv): string | null;
