"""Support-chat phrase pools and rich message contents for the seeded dataset.

Every content object here is shared by all the messages that use it, so nothing may mutate one
in place: an edit replaces ``msg.content`` (which is what ``SandboxState.update_message`` does).
"""

from __future__ import annotations

from typing import Any

FILES_HOST = "https://files.sandbox.example"  # .example: never resolves, never fetched


class Topic:
    __slots__ = ("name", "openers", "operator", "subject", "visitor")

    def __init__(self, name: str, subject: str, openers: tuple[str, ...],
                 visitor: tuple[str, ...], operator: tuple[str, ...]) -> None:
        self.name = name
        self.subject = subject
        self.openers = openers
        self.visitor = visitor
        self.operator = operator


TOPICS: tuple[Topic, ...] = (
    Topic("Order tracking", "Where is my order?", (
        "Hi, my order hasn't arrived yet and the tracking page hasn't changed in 4 days.",
        "Hello! Could you tell me where my parcel is? Order A-2291.",
        "Bonjour, I ordered last week and still nothing. Is it lost?",
    ), (
        "The tracking number starts with 1Z, if that helps.",
        "It says 'label created' but nothing since.",
        "I need it before Friday, it's a birthday present.",
        "Can you send it again if it's lost?",
        "I live in a flat, maybe the courier couldn't get in?",
    ), (
        "I'm sorry about the wait! Let me look up your shipment.",
        "I can see the parcel left our warehouse on Monday; the carrier scan is just late.",
        "It's now showing as out for delivery, you should get it today.",
        "I've opened an investigation with the carrier; they usually answer within 48 hours.",
        "If it hasn't arrived by Thursday, we'll ship a replacement at no cost.",
    )),
    Topic("Billing", "Charged twice this month", (
        "Hi, I think I was charged twice for my subscription this month.",
        "Hello, my card was declined but I still see a pending payment.",
        "Can I get an invoice with my company's VAT number on it?",
    ), (
        "Both charges are €29 on the 3rd.",
        "The VAT number is FR40303265045.",
        "Can you send the invoice to accounting@ instead of my address?",
        "Will the refund go back to the same card?",
        "I switched to yearly billing, maybe that's why?",
    ), (
        "Thanks for flagging this, let me check your billing history.",
        "You're right, the second charge is a duplicate. I've refunded it just now.",
        "Refunds take 5 to 10 business days to show on your statement.",
        "I've updated the invoice with your VAT number, you'll find it in Billing > Invoices.",
        "The pending payment is only an authorisation, it will drop off on its own.",
    )),
    Topic("Login problem", "Can't log in", (
        "I can't log in, it keeps saying my password is wrong.",
        "Hi, I never received the password reset email.",
        "My two-factor code is not accepted anymore, help!",
    ), (
        "I've tried three times already.",
        "I checked the spam folder, nothing there.",
        "I changed phones last week, the authenticator app is on the old one.",
        "It worked on my laptop but not on my phone.",
        "Okay, I'm in now!",
    ), (
        "No problem, let's get you back in.",
        "I've just sent a new reset link; it's valid for 30 minutes.",
        "Could you confirm the email address on the account?",
        "I've reset your two-factor settings; you can set it up again at the next login.",
        "Please try clearing your browser cookies for our site and log in again.",
    )),
    Topic("Refund request", "Refund for a damaged item", (
        "Hello, the mug I received was broken in the box.",
        "Hi, I'd like to return a jacket, it's too small.",
        "Can I get a refund? The product doesn't match the description.",
    ), (
        "I've attached a photo of the damage.",
        "I still have the original packaging.",
        "Do I need to pay for the return shipping?",
        "I'd prefer a refund rather than an exchange.",
        "The order number is A-1987.",
    ), (
        "I'm so sorry it arrived like that!",
        "Returns are free within 30 days; I'll email you a prepaid label.",
        "I've issued a full refund, no need to send the item back.",
        "Would you like a replacement or a refund?",
        "Once the parcel is scanned by the carrier, the refund is automatic.",
    )),
    Topic("Pricing question", "Question about plans", (
        "Hi! What's the difference between the Essentials and Unlimited plans?",
        "Do you offer discounts for non-profits?",
        "Is there a free trial for the team plan?",
    ), (
        "We're a team of 12 people.",
        "Can we pay yearly by bank transfer?",
        "Do unused seats roll over to next month?",
        "We're a registered charity in the UK.",
        "What happens to our data if we downgrade?",
    ), (
        "Great question! Unlimited adds automations, the API and unlimited seats.",
        "Yes, non-profits get 40% off; I just need proof of status.",
        "Every plan has a 14-day trial, no card required.",
        "Yearly plans can be paid by bank transfer, I'll send you a quote.",
        "Nothing is deleted when you downgrade; extra features just become read-only.",
    )),
    Topic("Bug report", "Export button does nothing", (
        "The export to CSV button doesn't do anything when I click it.",
        "Hi, the dashboard shows a blank page since this morning.",
        "I'm getting an 'Error 500' when saving my settings.",
    ), (
        "I'm on Chrome, latest version.",
        "It happens with every report, not just one.",
        "Here is a screenshot of the console.",
        "It worked fine yesterday.",
        "Still broken after a refresh.",
    ), (
        "Thanks for the report, I'm reproducing it now.",
        "I can reproduce it; our engineers are on it.",
        "Could you tell me which browser and version you're using?",
        "A fix has been deployed, could you refresh and try again?",
        "As a workaround, the export works from the Reports > History page.",
    )),
    Topic("Shipping abroad", "Do you ship to Canada?", (
        "Do you ship to Canada? I couldn't find it at checkout.",
        "Hi, how long does delivery to Japan take?",
        "Are customs fees included for orders to Switzerland?",
    ), (
        "I'm in Vancouver.",
        "What's the cheapest option?",
        "Can I pick it up somewhere instead?",
        "Is there tracking for international orders?",
    ), (
        "We do! International shipping is enabled at checkout once you pick your country.",
        "Delivery to Japan takes 5 to 8 business days with tracking.",
        "Customs fees are included for Switzerland, nothing to pay at the door.",
        "Every international order is tracked end to end.",
    )),
    Topic("Account changes", "Change the account owner", (
        "How do I transfer the account to my colleague?",
        "Hi, I need to change the email address on my account.",
        "Can I merge two accounts? I created one by mistake.",
    ), (
        "Her email is the one on the team page.",
        "I don't have access to the old email anymore.",
        "Both accounts use the same company name.",
        "Thanks, that's exactly what I needed.",
    ), (
        "Sure! Go to Settings > Team, then 'Transfer ownership'.",
        "For security, I'll need to verify your identity first.",
        "I've merged the accounts; everything is now under your main email.",
        "Done! The new address is active, you'll get a confirmation email.",
    )),
    Topic("Integration help", "Webhook not firing", (
        "Our webhook stopped receiving events yesterday.",
        "Hi, is there an API endpoint to list all orders?",
        "How do I connect your app to Zapier?",
    ), (
        "The endpoint returns 200, I checked the logs.",
        "We rotated our API key on Monday.",
        "Is there a rate limit on the API?",
        "Can I filter the events by type?",
    ), (
        "Let me check the delivery log for your webhook.",
        "I see the deliveries failed with a signature mismatch after the key rotation.",
        "Yes: GET /v2/orders, paginated 50 per page. Docs are under API > Orders.",
        "The API allows 10 requests per second per key.",
        "You can filter events by type in the webhook settings.",
    )),
)

VISITOR_GENERIC: tuple[str, ...] = (
    "Ok, thanks.", "Let me check.", "One second please.", "Sure.", "Hmm, okay.",
    "I'll try that now.", "Still not working, sorry.", "That's great, thank you!",
    "Sorry, I was away for a bit.", "Is anyone there?", "Yes, that's right.",
    "Could you explain that again?", "Perfect 👍", "Merci !", "Gracias", "Danke!",
    "Got it.", "Any update on this?",
)

OPERATOR_GENERIC: tuple[str, ...] = (
    "Let me check that for you.", "Thanks for your patience!", "One moment please.",
    "Could you give me a bit more detail?", "I'll look into it right away.",
    "Is there anything else I can help with?", "I've passed this on to the team.",
    "Happy to help!", "Thanks, that helps a lot.", "Let me ask a colleague.",
)

OPERATOR_GREETINGS: tuple[str, ...] = (
    "Hi there! Thanks for reaching out.", "Hello! I'm happy to help with that.",
    "Hey, thanks for getting in touch!", "Good morning! Let's sort this out.",
    "Hi! Sorry for the wait.",
)

NAMED_GREETINGS: tuple[str, ...] = (
    "Hi {name}! Thanks for reaching out.", "Hello {name}, happy to help with that.",
    "Hey {name} 👋 Let me take a look.",
)

OPERATOR_CLOSINGS: tuple[str, ...] = (
    "Glad we could fix this! I'll mark the conversation as resolved.",
    "You're all set. Have a great day!",
    "Happy to help. Don't hesitate to write again if anything comes up.",
    "Perfect, I'm closing this one. Take care!",
)

VISITOR_THANKS: tuple[str, ...] = (
    "Thanks a lot, have a nice day!", "Great, thanks for the quick help!",
    "Thank you so much 🙏", "Awesome, cheers!",
)

NOTES: tuple[str, ...] = (
    "Customer has been waiting since yesterday, prioritise.",
    "Duplicate of the ticket from last week.", "VIP customer, be extra careful.",
    "Refund approved by finance.", "Bug reproduced, filed as ENG-4412.",
    "Checked the logs: nothing unusual on our side.",
)

# Formatted with an operator's first name to make a mention note.
MENTION_NOTES: tuple[str, ...] = (
    "@{name} could you take this one? It's a billing question.",
    "@{name} this looks like the export bug you fixed last week.",
    "@{name} can you confirm the refund went through?",
)

FILE_CONTENTS: tuple[dict[str, Any], ...] = tuple(
    {"name": name, "url": f"{FILES_HOST}/upload/{path}/{name}", "type": mime}
    for name, path, mime in (
        ("screenshot.png", "4f9c1e2a", "image/png"),
        ("invoice-2291.pdf", "7b3d8a10", "application/pdf"),
        ("damaged-mug.jpg", "c2e5f7d9", "image/jpeg"),
        ("error-log.txt", "19a0b6c4", "text/plain"),
        ("order-export.csv", "e8d1f3a7", "text/csv"),
        ("return-label.pdf", "5a6b7c8d", "application/pdf"),
    )
)

ANIMATION_CONTENTS: tuple[dict[str, Any], ...] = tuple(
    {"url": f"{FILES_HOST}/animations/{name}.gif", "type": "image/gif"}
    for name in ("thumbs-up", "happy-dance", "thank-you", "waiting")
)

AUDIO_CONTENTS: tuple[dict[str, Any], ...] = tuple(
    {"url": f"{FILES_HOST}/audio/{name}.webm", "type": "audio/webm", "duration": duration}
    for name, duration in (("voice-note-1", 7), ("voice-note-2", 15), ("voice-note-3", 32))
)

PICKER_CONTENTS: tuple[dict[str, Any], ...] = (
    {"id": "rating", "text": "How would you rate our support today?", "required": False,
     "choices": [{"value": str(v), "label": "⭐" * v, "selected": False} for v in range(1, 6)]},
    {"id": "topic", "text": "What can we help you with?", "required": True, "choices": [
        {"value": "billing", "label": "Billing", "selected": False},
        {"value": "shipping", "label": "Shipping", "selected": True},
        {"value": "other", "label": "Something else", "selected": False},
    ]},
    {"id": "docs", "text": "Would one of these help?", "choices": [
        {"value": "faq", "label": "Read the FAQ", "selected": False,
         "action": {"type": "link", "target": "https://docs.sandbox.example/faq"}},
        {"value": "human", "label": "Talk to a human", "selected": False},
    ]},
)

FIELD_CONTENTS: tuple[dict[str, Any], ...] = (
    {"id": "email", "text": "What's your email?", "explain": "We'll reply there if you leave.",
     "required": True},
    {"id": "order", "text": "Your order number", "explain": "It starts with A-, e.g. A-1234",
     "value": "A-2291"},
    {"id": "phone", "text": "Phone number", "explain": "Optional, for urgent issues"},
)

CAROUSEL_CONTENTS: tuple[dict[str, Any], ...] = (
    {"text": "Here are our most popular plans:", "targets": [
        {"title": "Essentials", "description": "For small teams, €25/month",
         "image": f"{FILES_HOST}/carousel/essentials.png",
         "actions": [{"label": "Compare plans", "url": "https://sandbox.example/pricing"}]},
        {"title": "Unlimited", "description": "Everything, €95/month",
         "image": f"{FILES_HOST}/carousel/unlimited.png",
         "actions": [{"label": "Start a trial", "url": "https://sandbox.example/trial"}]},
    ]},
    {"text": "You might also like:", "targets": [
        {"title": "Trail tent 2P", "description": "1.4 kg, 3 seasons",
         "actions": [{"label": "View", "url": "https://sandbox.example/p/tent-2p"}]},
        {"title": "Down jacket", "description": "Warm to -10 °C",
         "actions": [{"label": "View", "url": "https://sandbox.example/p/down-jacket"}]},
        {"title": "Thermos 1L", "description": "Keeps tea hot for 24 h",
         "actions": [{"label": "View", "url": "https://sandbox.example/p/thermos"}]},
    ]},
)

RESOLVED_EVENT: dict[str, Any] = {"namespace": "state:resolved", "text": "Conversation resolved"}
