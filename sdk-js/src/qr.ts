/** Entry `@medsign/sdk/qr`: the QR login helper (it carries the QR encoder). */
export { qrLogin, type QrLoginOptions, type LoggedIn } from './qr-login.js';
