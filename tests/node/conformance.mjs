// Drives Crisp's official node client (crisp-api 11.x), unchanged, against a running sandbox.
// Usage: node conformance.mjs '<crisp-sandbox --json line>' [discovery|rtmhost]
// Prints one JSON line of results; exits 0 when every check passed, 1 otherwise.
import pkg from "crisp-api";

const Crisp = pkg.Crisp || pkg;
const info = JSON.parse(process.argv[2]);
const mode = process.argv[3] || "discovery";
const base = info.rest.replace(/\/v1\/?$/, "");
const admin = info.admin;
const checks = [];

function check(name, ok, detail) {
  checks.push({ name, ok: Boolean(ok), detail });
  if (!ok) throw new Error(`${name} failed: ${JSON.stringify(detail)}`);
}

async function main() {
  const client = new Crisp();
  client.setRestHost(base);
  if (mode === "rtmhost") client.setRtmHost(info.rtm);
  client.authenticateTier("plugin", info.identifier, info.key);
  const websiteId = info.websites[0];

  const account = await client.plugin.getConnectAccount();
  check("getConnectAccount", account.plugin_id === info.plugin_id, account);
  await client.plugin.checkConnectSessionValidity();
  const sites = await client.plugin.listAllConnectWebsites(1, false, true);
  check("listAllConnectWebsites", sites.length === info.websites.length, sites.length);
  const since = await client.plugin.listConnectWebsitesSince("2000-01-01T00:00:00Z", false);
  check("listConnectWebsitesSince", Array.isArray(since), since.length);
  const endpoints = await client.plugin.getConnectEndpoints();
  check("getConnectEndpoints", endpoints.socket.app === info.rtm, endpoints);
  const settings = await client.plugin.getSubscriptionSettings(websiteId, info.plugin_id);
  check("getSubscriptionSettings", settings.website_id === websiteId, settings.website_id);
  await client.plugin.updateSubscriptionSettings(websiteId, info.plugin_id, { sla_minutes: 30 });

  const website = await client.website.getWebsite(websiteId);
  check("getWebsite", website.website_id === websiteId, website);
  const operators = await client.website.listWebsiteOperators(websiteId);
  check("listWebsiteOperators", operators.length > 0, operators.length);
  const availability = await client.website.getWebsiteAvailabilityStatus(websiteId);
  check("getWebsiteAvailabilityStatus", typeof availability.status === "string", availability);

  const conversations = await client.website.listConversations(websiteId, 1);
  check("listConversations", conversations.length > 0, conversations.length);
  const sessionId = conversations[0].session_id;
  const conversation = await client.website.getConversation(websiteId, sessionId);
  check("getConversation", conversation.session_id === sessionId, conversation.session_id);
  const history = await client.website.getMessagesInConversation(websiteId, sessionId);
  check("getMessagesInConversation", history.length > 0, history.length);
  const sent = await client.website.sendMessageInConversation(websiteId, sessionId, {
    type: "text", from: "operator", origin: "chat", content: "Hello from node crisp-api",
  });
  check("sendMessageInConversation", Number.isInteger(sent.fingerprint), sent);
  const got = await client.website.getMessageInConversation(websiteId, sessionId,
    sent.fingerprint);
  check("getMessageInConversation", got.content === "Hello from node crisp-api", got);
  await client.website.updateMessageInConversation(websiteId, sessionId, sent.fingerprint,
    "Hello again");
  await client.website.composeMessageInConversation(websiteId, sessionId,
    { type: "start", from: "operator" });
  await client.website.markMessagesReadInConversation(websiteId, sessionId,
    { from: "operator", origin: "chat" });
  await client.website.changeConversationState(websiteId, sessionId, "unresolved");
  const state = await client.website.getConversationState(websiteId, sessionId);
  check("getConversationState", state.state === "unresolved", state);
  await client.website.updateConversationMetas(websiteId, sessionId, { nickname: "Node" });
  const metas = await client.website.getConversationMetas(websiteId, sessionId);
  check("getConversationMetas", metas.nickname === "Node", metas.nickname);
  const remindAt = new Date(Date.now() + 3600 * 1000).toISOString();
  const reminded = await client.website.scheduleReminderForConversation(websiteId, sessionId,
    remindAt, "Node reminder");
  check("scheduleReminderForConversation", reminded && Object.keys(reminded).length === 0,
    reminded);
  const created = await client.website.createNewConversation(websiteId);
  check("createNewConversation", created.session_id.startsWith("session_"), created);

  const people = await client.website.listPeopleProfiles(websiteId, 1);
  check("listPeopleProfiles", Array.isArray(people), people.length);

  let notFound = null;
  try {
    await client.website.getConversation(websiteId, "session_does-not-exist");
  } catch (error) {
    notFound = error;
  }
  // The strict profile (specific_not_found) names the missing resource in the reason.
  const missing = info.profile === "lenient" ? "not_found" : "session_not_found";
  check("not_found rejects", notFound && notFound.code === 404 &&
    notFound.message === missing, notFound);

  // RTM: listen, then have the simulator write as a visitor until the event arrives.
  const received = new Promise((resolve) => {
    client.on("message:send", (message) => resolve(message));
  });
  let message = null;
  for (let attempt = 0; attempt < 20 && message === null; attempt++) {
    await fetch(admin + "simulate", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Sandbox-Token": info.admin_token },
      body: JSON.stringify({ action: "message", website_id: websiteId, typing: false }),
    });
    message = await Promise.race([received, new Promise((r) => setTimeout(() => r(null), 1000))]);
  }
  check("rtm message:send", message && message.from === "user" &&
    Number.isInteger(message.fingerprint) && message.website_id === websiteId, message);
  await client.rebindSocket();
  check("rebindSocket", true);
  return { mode, message: { session_id: message.session_id, type: message.type } };
}

main().then((summary) => {
  console.log(JSON.stringify({ ok: true, checks: checks.length, ...summary }));
  process.exit(0);
}, (error) => {
  console.log(JSON.stringify({ ok: false, error: String(error && error.message || error),
    detail: error, checks }));
  process.exit(1);
});
