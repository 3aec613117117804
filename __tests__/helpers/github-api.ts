import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeComment {
  id: number
  body: string
  user: { login: string; type: string }
}

/**
 * A local stand-in for the three GitHub REST routes the pull-request comment uses: list (paginated), create and
 * update an issue comment. Records every request; `failWith` makes every request answer that status.
 */
export async function startGitHubApi(options: { existing?: FakeComment[]; failWith?: number } = {}) {
  const comments: FakeComment[] = [...(options.existing ?? [])]
  const requests: Array<{ method: string; url: string; authorization: string | undefined }> = []
  let nextId = 1000
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization })
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body))
      }
      if (options.failWith) return reply(options.failWith, { message: 'Resource not accessible by integration' })
      const url = new URL(req.url ?? '/', 'http://localhost')
      const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname)
      const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname)
      const body =
        chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { body: string }) : undefined
      // The job's own token cannot read the authenticated user, as on GitHub.
      if (url.pathname === '/user') return reply(403, { message: 'Resource not accessible by integration' })
      if (list && req.method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') ?? 30)
        const page = Number(url.searchParams.get('page') ?? 1)
        const slice = comments.slice((page - 1) * perPage, page * perPage)
        const last = Math.max(1, Math.ceil(comments.length / perPage))
        const link: Record<string, string> =
          page < last
            ? {
                Link: `<http://${req.headers.host}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next", <http://${req.headers.host}${url.pathname}?per_page=${perPage}&page=${last}>; rel="last"`
              }
            : {}
        return reply(200, slice, link)
      }
      if (list && req.method === 'POST' && body) {
        const comment = { id: nextId++, body: body.body, user: { login: 'github-actions[bot]', type: 'Bot' } }
        comments.push(comment)
        return reply(201, comment)
      }
      if (one && req.method === 'PATCH' && body) {
        const comment = comments.find(c => c.id === Number(one[3]))
        if (!comment) return reply(404, { message: 'Not Found' })
        comment.body = body.body
        return reply(200, comment)
      }
      return reply(404, { message: 'Not Found' })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    comments,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
