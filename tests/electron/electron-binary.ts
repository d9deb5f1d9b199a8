// The one lookup lives beside `npm start`, which needs it too.
export { findElectronBinary } from '../../scripts/electron-binary.mjs';
