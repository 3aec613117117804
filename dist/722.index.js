export const id = 722;
export const ids = [722];
export const modules = {

/***/ 4722:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createTransport: () => (/* binding */ createTransport)
});

// UNUSED EXPORTS: MAX_BODY_BYTES, TransportError

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
var external_node_http_default = /*#__PURE__*/__webpack_require__.n(external_node_http_);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(4708);
var external_node_https_default = /*#__PURE__*/__webpack_require__.n(external_node_https_);
;// CONCATENATED MODULE: ./src/abort.ts
/**
 * One listener per AbortSignal however many requests wait on it, each request in a slot it clears when it ends.
 *
 * Why not `addEventListener` per request: a signal's listeners are a linked list, and a removed listener still
 * points at its neighbours. Once the garbage collector has moved one of them to the old generation, that dead node
 * keeps the next request's closure, and with it the whole request, alive through every young collection until the
 * next full one. At thousands of requests a second that moved tens of megabytes a minute into the old generation and
 * made the heap grow to several times what the run holds. A slot that is cleared references nothing.
 */
class Fanout {
    slots = [];
    free = [];
    constructor(signal) {
        signal.addEventListener('abort', () => this.fire(), { once: true });
    }
    add(callback) {
        const slot = this.free.pop() ?? this.slots.length;
        this.slots[slot] = callback;
        return slot;
    }
    remove(slot) {
        this.slots[slot] = undefined;
        this.free.push(slot);
    }
    fire() {
        for (let slot = 0; slot < this.slots.length; slot++) {
            const callback = this.slots[slot];
            if (callback === undefined)
                continue;
            this.remove(slot);
            callback();
        }
    }
}
const fanouts = new WeakMap();
/**
 * Calls `callback` once when `signal` aborts, unless the returned function was called first. The signal must not have
 * aborted yet: check `signal.aborted` before.
 */
function onAbort(signal, callback) {
    let fanout = fanouts.get(signal);
    if (fanout === undefined) {
        fanout = new Fanout(signal);
        fanouts.set(signal, fanout);
    }
    const owner = fanout;
    let slot = owner.add(() => {
        slot = -1;
        callback();
    });
    return () => {
        if (slot >= 0)
            owner.remove(slot);
        slot = -1;
    };
}

// EXTERNAL MODULE: ./src/transport-error.ts
var transport_error = __webpack_require__(1049);
// EXTERNAL MODULE: ./src/text.ts
var src_text = __webpack_require__(8992);
;// CONCATENATED MODULE: ./src/http.ts






/** Bodies are read up to this size: enough for any error message, bounded against a hostile answer. */
const MAX_BODY_BYTES = 64 * 1024;
/**
 * Node's own HTTP client over keep-alive agents that hold at most maxSockets connections (or, through a proxy,
 * maxSockets tunnels), so sockets are reused across requests. Redirects are never followed (node:http does not),
 * and each attempt, body included, has its own time limit. Per request it does a fraction of the work of a fetch
 * implementation, which is what lets thousands of deletes run at the speed the provider's latency allows. The
 * tunnelling agent is loaded only for a run that goes through a proxy.
 */
async function createTransport(options) {
    const opened = { count: 0 };
    const agentOptions = {
        keepAlive: true,
        maxSockets: options.maxSockets,
        maxFreeSockets: options.maxSockets,
        scheduling: 'lifo'
    };
    const { proxy } = options;
    // One tunnelling agent serves both schemes: it upgrades a tunnel to TLS for https targets.
    // Credentials go in a header the agent sends as given, never in the URL it keeps (and may print when debugging).
    const proxyHeaders = proxy?.authorization ? { 'Proxy-Authorization': proxy.authorization } : {};
    const { HttpsProxyAgent } = proxy ? await __webpack_require__.e(/* import() */ 833).then(__webpack_require__.bind(__webpack_require__, 5833)) : { HttpsProxyAgent: undefined };
    const tunnel = proxy &&
        HttpsProxyAgent &&
        counting(new HttpsProxyAgent(proxy.url, { ...agentOptions, headers: proxyHeaders }), opened);
    const httpAgent = tunnel ?? counting(new (external_node_http_default()).Agent(agentOptions), opened);
    const httpsAgent = tunnel ?? counting(new (external_node_https_default()).Agent(agentOptions), opened);
    return {
        send: request => exchange(request, request.url.protocol === 'https:' ? httpsAgent : httpAgent, proxy),
        get socketsOpened() {
            return opened.count;
        },
        close() {
            httpAgent.destroy();
            httpsAgent.destroy();
        }
    };
}
/** The agent, counting every connection it opens. */
function counting(agent, opened) {
    const withConnect = agent;
    const open = withConnect.createConnection.bind(agent);
    withConnect.createConnection = (connectOptions, callback) => {
        opened.count++;
        return open(connectOptions, callback);
    };
    return agent;
}
/** One request and its answer, body read up to MAX_BODY_BYTES, within the request's time limit. */
function exchange(request, agent, proxy) {
    return new Promise((resolve, reject) => {
        const secure = request.url.protocol === 'https:';
        const headers = request.body === undefined
            ? request.headers
            : { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)) };
        const req = (secure ? (external_node_https_default()) : (external_node_http_default())).request(request.url, { method: request.method, headers, agent });
        let done = false;
        let unsubscribe;
        const finish = (outcome) => {
            if (done)
                return;
            done = true;
            clearTimeout(timer);
            unsubscribe?.();
            outcome();
        };
        const fail = (error) => finish(() => reject(error));
        const timer = setTimeout(() => {
            fail(new transport_error/* TransportError */.w('timeout', `no answer within ${formatSeconds(request.timeoutMs)}`));
            req.destroy();
        }, request.timeoutMs);
        const cancel = () => {
            fail(new transport_error/* TransportError */.w('cancelled', 'cancelled while waiting for the answer'));
            req.destroy();
        };
        if (request.signal?.aborted)
            return cancel();
        if (request.signal)
            unsubscribe = onAbort(request.signal, cancel);
        req.on('proxyConnect', (connect) => {
            if (connect.statusCode !== 200 && proxy)
                fail(proxyRefusal(proxy, connect));
        });
        req.on('error', error => fail(transportError(error, proxy)));
        const bound = request.maxBodyBytes ?? MAX_BODY_BYTES;
        req.on('response', response => readAnswer(response, bound, answer => finish(() => resolve(answer)), fail));
        req.end(request.body);
    });
}
/** Reads an answer's body up to the bound; a body cut short by the connection is a connection error. */
function readAnswer(response, bound, done, fail) {
    const chunks = [];
    let size = 0;
    const answer = () => ({
        status: response.statusCode ?? 0,
        headers: { get: name => joinHeader(response.headers[name.toLowerCase()]) },
        body: Buffer.concat(chunks).subarray(0, bound).toString('utf8'),
        truncated: size > bound || (size === bound && !response.complete)
    });
    response.on('data', (chunk) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= bound) {
            // Enough to classify; the rest is dropped with the connection.
            done(answer());
            response.destroy();
        }
    });
    response.on('end', () => done(answer()));
    response.on('error', error => fail(transportError(error, undefined)));
    response.on('close', () => fail(new transport_error/* TransportError */.w('connection', 'connection error: closed before the answer ended')));
}
/** A 4xx to CONNECT (407 authentication, 403 forbidden) will not change; a 5xx may be the proxy's own trouble. */
function proxyRefusal(proxy, connect) {
    const status = `HTTP ${connect.statusCode}${connect.statusText ? ` ${connect.statusText}` : ''}`;
    const hint = connect.statusCode === 407 ? ': check the credentials in the proxy URL' : '';
    return new transport_error/* TransportError */.w('proxy', `proxy ${proxy.host} refused the tunnel (${status})${hint}`, connect.statusCode >= 400 && connect.statusCode < 500);
}
/** What OpenSSL and Node call the certificate problems a user can fix by trusting a CA or fixing the host name. */
const UNTRUSTED = new Set([
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_UNTRUSTED',
    'CERT_SIGNATURE_FAILURE'
]);
/** A transport error with a reason a user can act on; TLS problems are fatal, they will not fix themselves. */
function transportError(error, proxy) {
    const code = error?.code;
    const via = proxy ? ` (through proxy ${proxy.host})` : '';
    if (typeof code === 'string' && UNTRUSTED.has(code)) {
        return tlsError(`the server's certificate is not signed by a trusted CA (${code})${via}; trust its CA with NODE_EXTRA_CA_CERTS`);
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
        const detail = error instanceof Error
            ? `: ${error.message.replace(/^Hostname\/IP does not match certificate's altnames: /, '')}`
            : '';
        return tlsError(`the server's certificate is for another host name (${code})${detail}`);
    }
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
        return tlsError(`the server's certificate ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not yet valid'} (${code})`);
    }
    if (typeof code === 'string' && /^(ERR_SSL_|ERR_TLS_|CERT_)/.test(code)) {
        return new transport_error/* TransportError */.w('tls', `TLS failed (${code})${via}`, true);
    }
    const what = typeof code === 'string' ? code : (0,src_text/* errorMessage */.gJ)(error);
    return new transport_error/* TransportError */.w('connection', `connection error: ${what}${via}`);
}
function tlsError(problem) {
    return new transport_error/* TransportError */.w('tls', `TLS certificate problem: ${problem}`, true);
}
function joinHeader(value) {
    if (value === undefined)
        return null;
    return Array.isArray(value) ? value.join(', ') : value;
}
function formatSeconds(ms) {
    return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}


/***/ })

};

//# sourceMappingURL=722.index.js.map