/**
 * A throwaway certificate authority made at test time, and server certificates it signs: what a self-hosted
 * runner's corporate CA (or a TLS-inspecting proxy's) looks like to the action. The CA's PEM file is what
 * NODE_EXTRA_CA_CERTS points at.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import selfsigned from 'selfsigned'
import { scratchDir } from './common.js'

export interface TestCa {
  /** The CA certificate's PEM file, for NODE_EXTRA_CA_CERTS. */
  file: string
  /** A server key and certificate signed by this CA for these DNS names and IP addresses. */
  serverCertificate(names: { dns?: string[]; ip?: string[] }): Promise<{ key: string; cert: string }>
}

export async function testCa(): Promise<TestCa> {
  const ca = await selfsigned.generate([{ name: 'commonName', value: 'file-purge test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
    ]
  })
  const file = path.join(scratchDir('file-purge-ca-'), 'ca.pem')
  writeFileSync(file, ca.cert)
  return {
    file,
    async serverCertificate({ dns = [], ip = [] }) {
      const leaf = await selfsigned.generate([{ name: 'commonName', value: dns[0] ?? ip[0] ?? 'localhost' }], {
        keyType: 'ec',
        algorithm: 'sha256',
        ca: { key: ca.private, cert: ca.cert },
        extensions: [
          {
            name: 'subjectAltName',
            altNames: [
              ...dns.map(value => ({ type: 2 as const, value })),
              ...ip.map(address => ({ type: 7 as const, ip: address }))
            ]
          },
          { name: 'extKeyUsage', serverAuth: true }
        ]
      })
      return { key: leaf.private, cert: leaf.cert }
    }
  }
}
