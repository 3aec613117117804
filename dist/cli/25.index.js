export const id = 25;
export const ids = [25];
export const modules = {

/***/ 25:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createTransport: () => (/* binding */ createTransport)
/* harmony export */ });
/* unused harmony export MAX_BODY_BYTES */
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(67);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_http__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(708);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_https__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _abort_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(331);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(854);
/* harmony import */ var _text_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(992);






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
    const tunnel = proxy
        ? counting(new (await __webpack_require__.e(/* import() */ 833).then(__webpack_require__.bind(__webpack_require__, 833))).HttpsProxyAgent(proxy.url, { ...agentOptions, headers: proxyHeaders }), opened)
        : undefined;
    const httpAgent = tunnel ?? counting(new (node_http__WEBPACK_IMPORTED_MODULE_0___default().Agent)(agentOptions), opened);
    const httpsAgent = tunnel ?? counting(new (node_https__WEBPACK_IMPORTED_MODULE_1___default().Agent)(agentOptions), opened);
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
        const req = (secure ? (node_https__WEBPACK_IMPORTED_MODULE_1___default()) : (node_http__WEBPACK_IMPORTED_MODULE_0___default())).request(request.url, { method: request.method, headers, agent });
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
            fail(new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .TransportError */ .w('timeout', `no answer within ${formatSeconds(request.timeoutMs)}`));
            req.destroy();
        }, request.timeoutMs);
        const cancel = () => {
            fail(new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .TransportError */ .w('cancelled', 'cancelled while waiting for the answer'));
            req.destroy();
        };
        if (request.signal?.aborted)
            return cancel();
        if (request.signal)
            unsubscribe = (0,_abort_js__WEBPACK_IMPORTED_MODULE_2__/* .onAbort */ .u7)(request.signal, cancel);
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
    response.on('close', () => fail(new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .TransportError */ .w('connection', 'connection error: closed before the answer ended')));
}
/** A 4xx to CONNECT (407 authentication, 403 forbidden) will not change; a 5xx may be the proxy's own trouble. */
function proxyRefusal(proxy, connect) {
    const status = `HTTP ${connect.statusCode}${connect.statusText ? ` ${connect.statusText}` : ''}`;
    const hint = connect.statusCode === 407 ? ': check the credentials in the proxy URL' : '';
    return new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .TransportError */ .w('proxy', `proxy ${proxy.host} refused the tunnel (${status})${hint}`, connect.statusCode >= 400 && connect.statusCode < 500);
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
        return new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .TransportError */ .w('tls', `TLS failed (${code})${via}`, true);
    }
    const what = typeof code === 'string' ? code : (0,_text_js__WEBPACK_IMPORTED_MODULE_4__/* .errorMessage */ .gJ)(error);
    return new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .TransportError */ .w('connection', `connection error: ${what}${via}`);
}
function tlsError(problem) {
    return new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .TransportError */ .w('tls', `TLS certificate problem: ${problem}`, true);
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
