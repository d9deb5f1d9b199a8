// Prints the current TOTP code of each demo staff account (or of the one named), for trying `npm start`
// without an authenticator app. Demo secrets only: real staff use their own authenticator.
import { DEMO_STAFF } from '../server/demo/credentials';
import { totp, TOTP_STEP_SECONDS } from '../src-shared/totp';

const wanted = process.argv[2];
const now = Date.now();
const left = TOTP_STEP_SECONDS - (Math.floor(now / 1000) % TOTP_STEP_SECONDS);
for (const staff of DEMO_STAFF) {
  if (!wanted || staff.username === wanted)
    console.log(`${staff.username.padEnd(12)} ${totp(staff.totpSecret, now)}`);
}
console.log(`(codes change in ${left} s; each code signs in once)`);
