// The README's walkthrough through the generated client: every path, body and answer
// below is typed from openapi.json, so a route or a type that changes under it fails
// `npm run check` (which the tests run).
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Member = components["schemas"]["MemberView"];

export async function walkthrough(baseUrl: string, key: string): Promise<Member> {
  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });

  const enrolled = await api.POST("/v1/members", {
    body: { external_id: "c-1001", email: "ada@example.com", name: "Ada" },
  });
  if (!enrolled.data) throw new Error(`enrol: ${enrolled.error?.error.code}`);
  const code: string = enrolled.data.referral_code;

  const bought = await api.POST("/v1/events", {
    body: {
      type: "purchase",
      member: "c-1001",
      order_id: "o-1",
      lines: [
        { sku: "latte", category: "coffee", quantity: 2, unit_price_minor: 475 },
        { sku: "pumpkin-loaf", category: "pastry", quantity: 1, unit_price_minor: 325 },
      ],
    },
  });
  if (!bought.data) throw new Error(`purchase: ${bought.error?.error.code}`);

  await api.POST("/v1/events", {
    body: { type: "return", member: "c-1001", order_id: "o-1", lines: [{ sku: "pumpkin-loaf", quantity: 1 }] },
  });

  const redeemed = await api.POST("/v1/members/{external_id}/redemptions", {
    params: { path: { external_id: "c-1001" }, header: { "Idempotency-Key": "redeem-1" } },
    body: { reward: "free-drink" },
  });
  if (!redeemed.data) throw new Error(`redeem: ${redeemed.error?.error.code}`);
  const spent: number = redeemed.data.points_spent;

  const again = await api.POST("/v1/members/{external_id}/redemptions", {
    params: { path: { external_id: "c-1001" } },
    body: { reward: "free-drink" },
  });
  if (again.error && again.response.status === 422 && again.error.error.code !== "insufficient_points") {
    throw new Error(`a second redemption: ${again.error.error.code}`);
  }

  const ledger = await api.GET("/v1/members/{external_id}/ledger", {
    params: { path: { external_id: "c-1001" }, query: { limit: 50 } },
  });
  const entries = ledger.data?.entries.length ?? 0;

  await api.POST("/v1/members/{external_id}/adjustments", {
    params: { path: { external_id: "c-1001" } },
    body: { points: 20, reason: "spilt latte" },
  });

  const hold = await api.POST("/v1/members/{external_id}/holds", {
    params: { path: { external_id: "c-1001" } },
    body: { order_id: "o-2", amount_minor: 100, basket_minor: 475 },
  });
  if (!hold.data) throw new Error(`hold: ${hold.error?.error.code}`);
  await api.POST("/v1/holds/{hold_id}/capture", { params: { path: { hold_id: hold.data.hold_id } } });

  const member = await api.GET("/v1/members/{external_id}", { params: { path: { external_id: "c-1001" } } });
  if (!member.data) throw new Error(`member: ${member.error?.error.code}`);
  console.log(`${member.data.name}: ${member.data.balance.available} points; ${entries} entries; code ${code}; spent ${spent}`);
  return member.data;
}
