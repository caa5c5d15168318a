// Perch web SDK: a plain ES module, no build step, no dependencies.
//
//   import * as perch from 'https://perch.example.com/sdk/perch.js';
//   await perch.init({apiUrl: 'https://perch.example.com', publishableKey: 'pk_…', vapidPublicKey: '…',
//                     serviceWorker: '/sw.js', onError: (error) => console.warn(error)});
//   button.onclick = () => perch.requestPermission({strategy: 'soft-prompt'});
//   await perch.identify('user-42', userAuth);   // userAuth: a JWT your backend mints after sign-in
//
// The site's own service worker loads the worker half: importScripts('https://perch.example.com/sdk/perch-sw.js').
// Every call returns a promise that rejects with a PerchError on failure. Work that has no caller to reject
// (the worker's `received`/`opened` reports, a push subscription the browser replaced) reaches the `onError`
// callbacks instead; without any, it goes to the browser's `reportError`. Nothing is swallowed.
// Docs: docs/clients.md in the Perch repository.

const DATABASE = 'perch';
const STATE_STORE = 'state';
const PENDING_LIMIT = 100;
const EVENT_FIELDS = ['value', 'currency', 'campaignId', 'deliveryId'];

/** A failure of a Perch call: an HTTP error answer (with Perch's code and field) or a network error. */
export class PerchError extends Error {
  constructor(message, {status = null, code = 'client_error', field = null, requestId = null, cause} = {}) {
    super(message, cause === undefined ? undefined : {cause});
    this.name = 'PerchError';
    /** HTTP status, or null when the request never got an answer. */
    this.status = status;
    /** Perch's error code (`invalid_field`, `not_found`, …), `network_error`, or `client_error` for misuse. */
    this.code = code;
    /** The request field at fault, when Perch named one. */
    this.field = field;
    /** Perch's `x-request-id`, to find the server's log lines. */
    this.requestId = requestId;
  }
}

let config = null;
let registration = null;
let installationId = null;
let listeningToWorker = false;
const errorListeners = new Set();

// ---------------------------------------------------------------------------------------------------------------
// State: one IndexedDB object store shared with the service worker (same origin), key → value.

let databasePromise = null;
function database() {
  databasePromise ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STATE_STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new PerchError('cannot open IndexedDB', {cause: request.error}));
  });
  return databasePromise;
}

async function stateRequest(mode, operation) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STATE_STORE, mode);
    const request = operation(transaction.objectStore(STATE_STORE));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(new PerchError('IndexedDB failed', {cause: transaction.error}));
    transaction.onabort = () => reject(new PerchError('IndexedDB transaction aborted', {cause: transaction.error}));
  });
}

const readState = (key) => stateRequest('readonly', (store) => store.get(key));
const writeState = (key, value) => stateRequest('readwrite', (store) => store.put(value, key));
const deleteState = (key) => stateRequest('readwrite', (store) => store.delete(key));

// ---------------------------------------------------------------------------------------------------------------
// HTTP

async function call(method, path, body) {
  const headers = {Authorization: `Bearer ${config.publishableKey}`};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(config.apiUrl + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', mode: 'cors',
    });
  } catch (cause) {
    throw new PerchError(`${method} ${path}: network error reaching Perch`, {code: 'network_error', cause});
  }
  const requestId = response.headers.get('x-request-id');
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // An answer that is not JSON (a proxy's error page) is reported below with its status.
  }
  if (!response.ok) {
    const error = json?.error ?? {};
    throw new PerchError(`${method} ${path}: ${response.status} ${error.message ?? 'request failed'}`, {
      status: response.status, code: error.code ?? 'http_error', field: error.field ?? null, requestId,
    });
  }
  return json;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function requireInit(name) {
  if (!config) throw new PerchError(`call perch.init(…) before perch.${name}(…)`);
}

function reportBackground(error) {
  if (errorListeners.size === 0) {
    if (typeof reportError === 'function') reportError(error);
    else console.error(error);
    return;
  }
  for (const listener of errorListeners) {
    try {
      listener(error);
    } catch (thrown) {
      if (typeof reportError === 'function') reportError(thrown);
      else console.error(thrown);
    }
  }
}

function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  const binary = atob(base64);
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

function sameBytes(buffer, bytes) {
  if (!buffer) return false;
  const view = new Uint8Array(buffer);
  return view.length === bytes.length && view.every((byte, index) => byte === bytes[index]);
}

function newInstallationId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function timezone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined; // no Intl time zone support: the field is optional
  }
}

function pushSupported() {
  return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

/**
 * Starts the SDK: keeps a stable installation id in IndexedDB, registers (or adopts) the service worker, and — when
 * notifications are already allowed — subscribes and registers the subscription again, so Perch's `lastSeenAt` stays true.
 *
 * @param {object} options
 * @param {string} options.apiUrl Perch's base URL, e.g. `https://perch.example.com`.
 * @param {string} options.publishableKey The app's `pk_…` key (never the secret key).
 * @param {string} options.vapidPublicKey The app's `vapidPublicKey` (base64url), the push `applicationServerKey`.
 * @param {string|ServiceWorkerRegistration} [options.serviceWorker='/sw.js'] The site's worker (which imports
 *   `perch-sw.js`), as a script URL to register or an existing registration.
 * @param {string} [options.serviceWorkerScope] The scope to register the worker with.
 * @param {string} [options.appVersion] Reported with every registration.
 * @param {(error: PerchError) => void} [options.onError] Receives failures of background work.
 * @returns {Promise<{installationId: string, permission: string, subscribed: boolean, supported: boolean}>}
 */
export async function init(options = {}) {
  const {apiUrl, publishableKey, vapidPublicKey, serviceWorker = '/sw.js', serviceWorkerScope, appVersion, onError} = options;
  let base;
  try {
    base = new URL(apiUrl);
  } catch {
    throw new PerchError('init: apiUrl must be an absolute URL', {field: 'apiUrl'});
  }
  if (typeof publishableKey !== 'string' || !publishableKey.startsWith('pk_')) {
    throw new PerchError('init: publishableKey must be the app\'s publishable key (pk_…); never ship the secret key',
      {field: 'publishableKey'});
  }
  let applicationServerKey;
  try {
    applicationServerKey = base64UrlToBytes(String(vapidPublicKey));
  } catch {
    applicationServerKey = null;
  }
  if (!applicationServerKey || applicationServerKey.length !== 65) {
    throw new PerchError('init: vapidPublicKey must be the app\'s base64url VAPID public key', {field: 'vapidPublicKey'});
  }
  if (onError !== undefined) {
    if (typeof onError !== 'function') throw new PerchError('init: onError must be a function', {field: 'onError'});
    errorListeners.add(onError);
  }
  config = {apiUrl: base.href.replace(/\/+$/, ''), publishableKey, vapidPublicKey, applicationServerKey, appVersion};

  installationId = await readState('installationId');
  if (!installationId) {
    installationId = newInstallationId();
    await writeState('installationId', installationId);
  }
  // The worker reports `received`/`opened` and re-registers on `pushsubscriptionchange` with these.
  await writeState('config', {apiUrl: config.apiUrl, publishableKey, vapidPublicKey, appVersion: appVersion ?? null});

  if (!pushSupported()) {
    return {installationId, permission: 'unsupported', subscribed: false, supported: false};
  }
  if (!listeningToWorker) {
    listeningToWorker = true;
    navigator.serviceWorker.addEventListener('message', (event) => {
      const message = event.data;
      if (message?.type !== 'perch:error') return;
      reportBackground(new PerchError(`service worker: ${message.message}`, {
        status: message.status ?? null, code: message.code ?? 'worker_error', field: message.field ?? null,
        requestId: message.requestId ?? null,
      }));
    });
  }
  try {
    registration = typeof serviceWorker === 'string'
      ? await navigator.serviceWorker.register(serviceWorker, serviceWorkerScope ? {scope: serviceWorkerScope} : undefined)
      : serviceWorker;
  } catch (cause) {
    throw new PerchError(`init: cannot register the service worker ${serviceWorker}`, {code: 'service_worker', cause});
  }

  const permission = Notification.permission;
  const previous = await readState('permission');
  let subscribed = false;
  if (permission === 'granted') {
    if (previous === 'default' || previous === 'denied') {
      // Granted since the last visit without our prompt: in the browser's site settings, or by another script.
      await queueEvent({type: 'permission_granted', properties: {strategy: previous === 'denied' ? 'browser-settings' : 'outside-sdk'}});
    }
    // A grant the SDK has not seen before is consent too; later loads leave the recorded consent alone.
    await subscribeAndRegister({consent: previous === 'granted' ? undefined : 'granted'});
    subscribed = true;
  } else if (previous === 'granted' && await readState('registered')) {
    // The person withdrew the permission in the browser: record it and withdraw consent.
    await queueEvent({type: 'permission_revoked', properties: {source: 'browser-settings'}});
    await putConsent('revoked', 'browser-permission');
  }
  // Remembered only once acted on, so a failed registration sends the consent again on the next visit.
  await writeState('permission', permission);
  await flushPending();
  return {installationId, permission, subscribed, supported: true};
}

/** The installation id kept in IndexedDB, or null before `init`. */
export function getInstallationId() {
  return installationId;
}

/** Adds a callback for failures of background work (the service worker's reports, subscription changes). */
export function onError(listener) {
  if (typeof listener !== 'function') throw new PerchError('onError: pass a function');
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

/**
 * Asks for the notification permission and records the funnel: `prompt_shown`, then `permission_granted` or
 * `permission_denied` (or a `permission_dismissed` custom event when the prompt was closed), each with the
 * `strategy` as a property. Events that precede the first registration are kept and sent with it.
 * On a grant, subscribes and registers the subscription with consent `granted`.
 *
 * @param {{strategy?: string}} [options] How the prompt was shown (`soft-prompt`, `on-load`, `after-purchase`, …).
 * @returns {Promise<'granted'|'denied'|'default'>}
 */
export async function requestPermission({strategy = 'default'} = {}) {
  requireInit('requestPermission');
  if (!pushSupported()) throw new PerchError('requestPermission: this browser has no Push API', {code: 'unsupported'});
  if (typeof strategy !== 'string' || strategy.length === 0) {
    throw new PerchError('requestPermission: strategy must be a non-empty string', {field: 'strategy'});
  }
  const before = Notification.permission;
  const prompted = before === 'default';
  if (prompted) await queueEvent({type: 'prompt_shown', properties: {strategy}});
  const result = await Notification.requestPermission();
  if (prompted) {
    const type = {granted: 'permission_granted', denied: 'permission_denied'}[result];
    await queueEvent(type ? {type, properties: {strategy}} : {type: 'permission_dismissed', properties: {strategy}});
  }
  if (result === 'granted') {
    await subscribeAndRegister({consent: 'granted'});
  } else if (prompted && result === 'denied' && await readState('registered')) {
    await putConsent('denied', `prompt:${strategy}`.slice(0, 64));
  }
  await writeState('permission', result);
  await flushPending();
  return result;
}

/**
 * Binds this installation to your user id after login. Before the first registration the id is kept and sent with it.
 * `userAuth` proves the user: a short-lived JWT (HS256) your backend signs with the app's identity secret, `sub` = the
 * user id (docs/clients.md shows how). Perch answers 401 (field `userAuth`) without it unless the app turned identity
 * verification off. Never put the identity secret in the page.
 * @param {string} userId
 * @param {string} [userAuth]
 * @returns {Promise<{installationId: string, userId: string, pending?: boolean}>}
 */
export async function identify(userId, userAuth) {
  requireInit('identify');
  if (typeof userId !== 'string' || userId.length === 0) throw new PerchError('identify: userId must be a non-empty string', {field: 'userId'});
  if (userAuth !== undefined && userAuth !== null && (typeof userAuth !== 'string' || userAuth.length === 0)) {
    throw new PerchError('identify: userAuth must be the JWT string your backend minted', {field: 'userAuth'});
  }
  if (!await readState('registered')) {
    await writeState('pendingUserId', userId);
    if (userAuth) await writeState('pendingUserAuth', userAuth); else await deleteState('pendingUserAuth');
    return {installationId, userId, pending: true};
  }
  const body = {installationId, userId};
  if (userAuth) body.userAuth = userAuth;
  const answer = await call('POST', '/v1/identify', body);
  await deleteState('pendingUserId');
  await deleteState('pendingUserAuth');
  return answer;
}

/** Unbinds the installation from its user (it becomes anonymous). */
export async function logout() {
  requireInit('logout');
  await deleteState('pendingUserId');
  await deleteState('pendingUserAuth');
  if (!await readState('registered')) return {installationId, userId: null, pending: true};
  return call('POST', '/v1/logout', {installationId});
}

/**
 * Records consent for this installation: `granted`, `denied` or `revoked` (withdrawal), with its source.
 * Before the first registration it is kept and applied right after it.
 */
export async function setConsent(status, {source = 'web-sdk'} = {}) {
  requireInit('setConsent');
  if (!['granted', 'denied', 'revoked'].includes(status)) {
    throw new PerchError('setConsent: status must be granted, denied or revoked', {field: 'status'});
  }
  if (!await readState('registered')) {
    await writeState('pendingConsent', {status, source});
    return {installationId, consent: {status, source}, pending: true};
  }
  return putConsent(status, source);
}

/**
 * Records an event: a known type (`converted`, `opened`, …) or a custom name (`cart_abandoned`).
 * The properties `value`, `currency`, `campaignId` and `deliveryId` become the event's own fields; the rest are
 * stored as its properties. Before the first registration the event is kept (up to 100) and sent with it.
 * @returns {Promise<{stored: number, rejected: number, results: object[]} | {pending: true}>}
 */
export async function track(name, properties = {}) {
  requireInit('track');
  if (typeof name !== 'string' || name.length === 0) throw new PerchError('track: name must be a non-empty string', {field: 'name'});
  const event = {type: name};
  const rest = {};
  for (const [key, value] of Object.entries(properties ?? {})) {
    if (EVENT_FIELDS.includes(key)) event[key] = value;
    else rest[key] = value;
  }
  if (Object.keys(rest).length > 0) event.properties = rest;
  if (!await readState('registered')) {
    await queueEvent(event);
    return {pending: true};
  }
  return sendEvents([stamp(event)]);
}

// ---------------------------------------------------------------------------------------------------------------
// Registration and events

/** The registration once its worker is active (a push subscription needs one). */
async function activeRegistration() {
  if (registration.active) return registration;
  const worker = registration.installing ?? registration.waiting;
  if (!worker) throw new PerchError('the service worker registration has no worker', {code: 'service_worker'});
  await new Promise((resolve, reject) => {
    const check = () => {
      if (worker.state === 'activated') resolve();
      else if (worker.state === 'redundant') reject(new PerchError('the service worker failed to install', {code: 'service_worker'}));
    };
    worker.addEventListener('statechange', check);
    check();
  });
  return registration;
}

async function subscribeAndRegister({consent} = {}) {
  const worker = await activeRegistration();
  let subscription = await worker.pushManager.getSubscription();
  if (subscription && !sameBytes(subscription.options?.applicationServerKey, config.applicationServerKey)) {
    // Subscribed for another VAPID key (a key rotation or another push provider before Perch): start over.
    await subscription.unsubscribe();
    subscription = null;
  }
  if (!subscription) {
    try {
      subscription = await worker.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: config.applicationServerKey});
    } catch (cause) {
      throw new PerchError('cannot subscribe to push', {code: 'subscribe_failed', cause});
    }
  }
  const body = {
    platform: 'webpush',
    subscription: subscription.toJSON(),
    installationId,
    locale: navigator.language || undefined,
    timezone: timezone(),
    appVersion: config.appVersion ?? undefined,
  };
  if (consent) body.consent = consent;
  const pendingUserId = await readState('pendingUserId');
  if (pendingUserId) {
    body.userId = pendingUserId;
    const pendingUserAuth = await readState('pendingUserAuth');
    if (pendingUserAuth) body.userAuth = pendingUserAuth;
  }
  const answer = await call('POST', '/v1/tokens', body);
  await writeState('registered', {tokenId: answer.id, endpoint: subscription.endpoint});
  if (pendingUserId) {
    await deleteState('pendingUserId');
    await deleteState('pendingUserAuth');
  }
  const pendingConsent = await readState('pendingConsent');
  if (pendingConsent) {
    await putConsent(pendingConsent.status, pendingConsent.source);
    await deleteState('pendingConsent');
  }
  return answer;
}

function putConsent(status, source) {
  return call('PUT', `/v1/installations/${encodeURIComponent(installationId)}/consent`, {status, source});
}

function stamp(event) {
  return {...event, installationId, at: event.at ?? new Date().toISOString()};
}

async function queueEvent(event) {
  const pending = (await readState('pendingEvents')) ?? [];
  pending.push(stamp(event));
  await writeState('pendingEvents', pending.slice(-PENDING_LIMIT));
}

async function flushPending() {
  if (!await readState('registered')) return;
  const pending = (await readState('pendingEvents')) ?? [];
  if (pending.length === 0) return;
  try {
    await sendEvents(pending);
  } catch (error) {
    // Perch answered (some or all refused): those events will never be stored, so they are not sent again.
    // Only a network error or a 5xx keeps them for the next try.
    if (error.status !== null && error.status < 500) await deleteState('pendingEvents');
    throw error;
  }
  await deleteState('pendingEvents');
}

async function sendEvents(events) {
  const answer = await call('POST', '/v1/events', {events});
  const rejected = (answer?.results ?? []).filter((result) => result.status !== 'stored');
  if (rejected.length > 0) {
    const first = rejected[0].error ?? {};
    throw new PerchError(`POST /v1/events: ${rejected.length} of ${events.length} rejected: ${first.message ?? 'rejected'}`, {
      status: 200, code: first.code ?? 'rejected', field: first.field ?? null,
    });
  }
  return answer;
}
