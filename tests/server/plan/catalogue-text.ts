/**
 * A small catalogue shared by the plan tests (builder, route, agent): all, include, exclude, overrides that
 * set and remove keys, an entry for several codes, and a path laid over the catalogue's.
 */
export const CATALOGUE = `defaults: { intervalSec: 300, timeoutMs: 15000 }
path: { datacentre: "10.10.0.1:443" }
services:
  - id: dvcqg
    service: portal
    name: Cổng Dịch vụ công quốc gia
    endpoints:
      - { name: dvcqg, kind: http, url: "https://dichvucong.gov.vn/", timeoutMs: 20000 }
      - { name: dvcqg-sso, kind: http, url: "https://xacthuc.dichvucong.gov.vn/", expectStatus: [{ min: 200, max: 499 }] }
  - id: hotich
    service: civil-status
    name: Hộ tịch
    endpoints:
      - { name: hotich-moj, kind: tcp, host: hotichdientu.moj.gov.vn, port: 443 }
  - id: paygov
    service: payment
    name: PayGov
    endpoints:
      - { name: paygov, kind: http, url: "https://pay.gov.vn/", keyword: PayGov }
  - id: motcua
    service: one-stop-shop
    name: Một cửa tỉnh
    endpoints:
      - { name: motcua-tinh, kind: http, url: "https://dichvucong.laocai.gov.vn/", service: one-stop-shop }
all: [dvcqg, hotich, paygov]
communes:
  - codes: ["26734"]
    include: [motcua]
    exclude: [paygov]
    overrides:
      hotich-moj: { link: tslcd, intervalSec: 600 }
      motcua-tinh: { url: "https://dichvucong.laocai.gov.vn/yenbai/" }
    path: { uplink: "10.0.0.1" }
  - codes: ["26737", "26740"]
    overrides:
      paygov: { keyword: null }
`;
