// Perch web SDK, service worker half: a classic script for the site's own worker.
//
//   // sw.js, on the site's origin
//   importScripts('https://perch.example.com/sdk/perch-sw.js');
//
// It shows Perch's pushes, reports `received`, reports `opened` and opens the message's URL on a click, and
// registers the new subscription when the browser replaces it. It reads the configuration and the installation
// id that `perch.js`'s `init` keeps in IndexedDB (same origin). Failures are posted to the site's open pages
// (`perch.js` hands them to `onError`) and also reject the event's `waitUntil` promise, so they show in the
// worker's console; nothing is swallowed.
//
// A push whose payload is not Perch's (no string `title`) is left to the site's own `push` listener.
// `self.perch` exposes the handlers for sites that dispatch events themselves; set `self.perchManualEvents = true`
// before importScripts to add no listeners.
//
// Perch's Web Push plaintext (PushMessage.renderWebPush):
//   {"title": "…", "body": "…", "url"?: "…", "image"?: "…", "badge"?: 3, "sound"?: "…", "actions"?: […],
//    "requireInteraction"?: true, "data"?: {…}}
// plus whatever the message's `webpush.payload` block adds (`icon`, `tag`, …).
// Campaign sends carry the delivery and campaign ids in `data.perchDeliveryId`/`data.perchCampaignId`
// (PushMessage.deliveryIdKey/campaignIdKey); `deliveryId`/`campaignId` at the top level or in `data` are read too.
(() => {
  const DATABASE = 'perch';
  const STATE_STORE = 'state';
  // Notification options a payload may carry, passed to showNotification as they are.
  const PASSED_OPTIONS = ['icon', 'image', 'tag', 'renotify', 'requireInteraction', 'silent', 'actions', 'dir', 'lang',
    'vibrate', 'timestamp'];

  class PerchWorkerError extends Error {
    constructor(message, {status = null, code = 'worker_error', field = null, requestId = null} = {}) {
      super(message);
      this.name = 'PerchWorkerError';
      this.status = status;
      this.code = code;
      this.field = field;
      this.requestId = requestId;
    }
  }

  // One IndexedDB transaction on the state store: `operation(store)` returns the request whose result is answered.
  function withState(mode, operation) {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(DATABASE, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STATE_STORE);
      open.onerror = () => reject(new PerchWorkerError(`cannot open IndexedDB: ${open.error}`));
      open.onsuccess = () => {
        const db = open.result;
        const transaction = db.transaction(STATE_STORE, mode);
        const request = operation(transaction.objectStore(STATE_STORE));
        transaction.oncomplete = () => {
          db.close();
          resolve(request.result);
        };
        transaction.onerror = () => {
          db.close();
          reject(new PerchWorkerError(`IndexedDB failed: ${transaction.error}`));
        };
      };
    });
  }

  const readState = (key) => withState('readonly', (store) => store.get(key));
  const writeState = (key, value) => withState('readwrite', (store) => store.put(value, key)).then(() => undefined);

  async function configuration() {
    const [config, installationId] = await Promise.all([readState('config'), readState('installationId')]);
    if (!config || !installationId) {
      throw new PerchWorkerError('no Perch configuration in IndexedDB: call perch.init(…) on a page first', {code: 'not_initialised'});
    }
    return {...config, installationId};
  }

  async function call(config, method, path, body) {
    let response;
    try {
      response = await fetch(config.apiUrl + path, {
        method,
        headers: {Authorization: `Bearer ${config.publishableKey}`, 'Content-Type': 'application/json'},
        body: JSON.stringify(body),
        credentials: 'omit',
        mode: 'cors',
      });
    } catch (cause) {
      throw new PerchWorkerError(`${method} ${path}: network error reaching Perch (${cause})`, {code: 'network_error'});
    }
    const requestId = response.headers.get('x-request-id');
    let json = null;
    try {
      json = await response.json();
    } catch {
      // Not JSON: reported below with the status.
    }
    if (!response.ok) {
      const error = json?.error ?? {};
      throw new PerchWorkerError(`${method} ${path}: ${response.status} ${error.message ?? 'request failed'}`, {
        status: response.status, code: error.code ?? 'http_error', field: error.field ?? null, requestId,
      });
    }
    return json;
  }

  async function report(type, ids, properties) {
    const config = await configuration();
    const event = {type, installationId: config.installationId, at: new Date().toISOString()};
    if (ids.deliveryId) event.deliveryId = ids.deliveryId;
    if (ids.campaignId) event.campaignId = ids.campaignId;
    if (properties) event.properties = properties;
    const answer = await call(config, 'POST', '/v1/events', {events: [event]});
    const result = answer?.results?.[0];
    if (result?.status !== 'stored') {
      throw new PerchWorkerError(`${type} event rejected: ${result?.error?.message ?? 'unknown reason'}`, {
        status: 200, code: result?.error?.code ?? 'rejected', field: result?.error?.field ?? null,
      });
    }
    return answer;
  }

  /** Posts a failure to every open page of the origin, then rethrows it for the event's waitUntil. */
  async function fail(error) {
    const pages = await self.clients.matchAll({type: 'window', includeUncontrolled: true});
    const message = {
      type: 'perch:error', message: String(error?.message ?? error), code: error?.code ?? 'worker_error',
      status: error?.status ?? null, field: error?.field ?? null, requestId: error?.requestId ?? null,
    };
    for (const page of pages) page.postMessage(message);
    throw error;
  }

  function identifier(value) {
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  }

  /** The Perch message in a push, or null when the push is not Perch's. */
  function perchMessage(data) {
    if (!data) return null;
    let payload;
    try {
      payload = data.json();
    } catch {
      return null; // not JSON: not Perch's
    }
    if (!payload || typeof payload !== 'object' || typeof payload.title !== 'string') return null;
    return payload;
  }

  async function handlePush(event) {
    const payload = perchMessage(event.data);
    if (!payload) return;
    const custom = payload.data && typeof payload.data === 'object' ? payload.data : {};
    const ids = {
      deliveryId: identifier(custom.perchDeliveryId) ?? identifier(payload.deliveryId) ?? identifier(custom.deliveryId),
      campaignId: identifier(custom.perchCampaignId) ?? identifier(payload.campaignId) ?? identifier(custom.campaignId),
    };
    const options = {body: typeof payload.body === 'string' ? payload.body : ''};
    for (const name of PASSED_OPTIONS) {
      if (payload[name] !== undefined) options[name] = payload[name];
    }
    options.data = {perch: {url: identifier(payload.url) ?? null, ...ids}, data: custom};
    try {
      await self.registration.showNotification(payload.title, options);
      await report('received', ids);
    } catch (error) {
      await fail(error);
    }
  }

  async function openURL(url) {
    const target = new URL(url, self.location.origin).href;
    const pages = await self.clients.matchAll({type: 'window', includeUncontrolled: true});
    const open = pages.find((page) => page.url === target);
    if (open) return open.focus();
    return self.clients.openWindow(target);
  }

  async function handleNotificationClick(event) {
    const info = event.notification?.data?.perch;
    if (!info) return; // not a Perch notification
    event.notification.close();
    const ids = {deliveryId: info.deliveryId, campaignId: info.campaignId};
    // The URL opens while the report is on its way; a failure of either reaches the page.
    // A click on one of the notification's action buttons is recorded with the action's name.
    const properties = event.action ? {action: event.action} : undefined;
    const [reported, opened] = await Promise.allSettled([report('opened', ids, properties), info.url ? openURL(info.url) : null]);
    if (reported.status === 'rejected') await fail(reported.reason);
    if (opened.status === 'rejected') {
      await fail(new PerchWorkerError(`cannot open ${info.url}: ${opened.reason?.name ?? 'Error'}: ${opened.reason?.message ?? opened.reason}`,
        {code: 'open_failed'}));
    }
  }

  async function handleSubscriptionChange(event) {
    try {
      const config = await configuration();
      let subscription = event.newSubscription;
      if (!subscription) {
        const key = config.vapidPublicKey.replace(/-/g, '+').replace(/_/g, '/');
        const bytes = Uint8Array.from(atob(key.padEnd(Math.ceil(key.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
        subscription = await self.registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: bytes});
      }
      const answer = await call(config, 'POST', '/v1/tokens', {
        platform: 'webpush', subscription: subscription.toJSON(), installationId: config.installationId,
        appVersion: config.appVersion ?? undefined,
      });
      await writeState('registered', {tokenId: answer.id, endpoint: subscription.endpoint});
    } catch (error) {
      await fail(error);
    }
  }

  self.perch = {handlePush, handleNotificationClick, handleSubscriptionChange};
  if (!self.perchManualEvents) {
    self.addEventListener('push', (event) => event.waitUntil(handlePush(event)));
    self.addEventListener('notificationclick', (event) => event.waitUntil(handleNotificationClick(event)));
    self.addEventListener('pushsubscriptionchange', (event) => event.waitUntil(handleSubscriptionChange(event)));
  }
})();
