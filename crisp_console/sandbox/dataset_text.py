"""Name, place and device pools for the seeded dataset.

Plain tuples: the generator draws from them and shares the strings, so a million messages and a
hundred thousand visitors cost no more text than what is written here.
"""

from __future__ import annotations

# (first name, gender): a multicultural mix, diacritics kept (emails are ASCII-folded).
FIRST_NAMES: tuple[tuple[str, str], ...] = (
    ("Amara", "female"), ("Chinedu", "male"), ("Ngozi", "female"), ("Kwame", "male"),
    ("Aïcha", "female"), ("Moussa", "male"), ("Fatou", "female"), ("Tendai", "male"),
    ("Zanele", "female"), ("Thabo", "male"), ("Yasmin", "female"), ("Omar", "male"),
    ("Layla", "female"), ("Karim", "male"), ("Noor", "female"), ("Hassan", "male"),
    ("Leila", "female"), ("Reza", "male"), ("Elif", "female"), ("Mehmet", "male"),
    ("Priya", "female"), ("Arjun", "male"), ("Ananya", "female"), ("Rohan", "male"),
    ("Sanjana", "female"), ("Vikram", "male"), ("Mei", "female"), ("Wei", "male"),
    ("Xiaoming", "male"), ("Lin", "female"), ("Hiroshi", "male"), ("Yuki", "female"),
    ("Haruto", "male"), ("Sakura", "female"), ("Min-jun", "male"), ("Ji-woo", "female"),
    ("Thảo", "female"), ("Minh", "male"), ("Siti", "female"), ("Budi", "male"),
    ("Maria", "female"), ("José", "male"), ("Lucía", "female"), ("Mateo", "male"),
    ("Camila", "female"), ("Santiago", "male"), ("Valentina", "female"), ("Diego", "male"),
    ("João", "male"), ("Beatriz", "female"), ("Gabriel", "male"), ("Larissa", "female"),
    ("Sophie", "female"), ("Lucas", "male"), ("Chloé", "female"), ("Hugo", "male"),
    ("Léa", "female"), ("Baptiste", "male"), ("Emma", "female"), ("Noah", "male"),
    ("Lena", "female"), ("Jonas", "male"), ("Jürgen", "male"), ("Anke", "female"),
    ("Giulia", "female"), ("Matteo", "male"), ("Francesca", "female"), ("Lorenzo", "male"),
    ("Søren", "male"), ("Freja", "female"), ("Astrid", "female"), ("Lars", "male"),
    ("Aino", "female"), ("Mikko", "male"), ("Zoë", "female"), ("Daan", "male"),
    ("Łukasz", "male"), ("Zofia", "female"), ("Katarzyna", "female"), ("Tomasz", "male"),
    ("Olena", "female"), ("Dmytro", "male"), ("Anastasia", "female"), ("Ivan", "male"),
    ("Eleni", "female"), ("Nikos", "male"), ("Noa", "female"), ("Itai", "male"),
    ("Olivia", "female"), ("Liam", "male"), ("Amelia", "female"), ("Oliver", "male"),
    ("Grace", "female"), ("Ethan", "male"), ("Chloe", "female"), ("Jack", "male"),
    ("Aroha", "female"), ("Tane", "male"), ("Sione", "male"), ("Mele", "female"),
    ("Alex", "unknown"), ("Sam", "unknown"), ("Robin", "unknown"), ("Kai", "unknown"),
)

LAST_NAMES: tuple[str, ...] = (
    "Okafor", "Adeyemi", "Mensah", "Diallo", "Ndiaye", "Traoré", "Moyo", "Dlamini",
    "Nkosi", "Haddad", "Mansour", "El Amrani", "Benali", "Rahimi", "Yılmaz", "Demir",  # noqa: RUF001
    "Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Khan", "Chen", "Wang", "Li", "Zhang",
    "Liu", "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Nguyen", "Tran", "Santoso",
    "García", "Martínez", "Rodríguez", "López", "Hernández", "Silva", "Souza", "Oliveira",
    "Pereira", "Dubois", "Martin", "Lefèvre", "Moreau", "Girard", "Müller", "Schmidt",
    "Schneider", "Fischer", "Weber", "Rossi", "Bianchi", "Romano", "Ricci", "Jensen",
    "Nielsen", "Andersson", "Johansson", "Virtanen", "Korhonen", "de Vries", "Jansen",
    "Kowalski", "Nowak", "Wiśniewska", "Shevchenko", "Kovalenko", "Ivanova",
    "Papadopoulos", "Cohen", "Levi", "Smith", "Johnson", "Brown", "Taylor", "Wilson",
    "O'Connor", "Murphy", "Walker", "Thompson", "Ngata", "Fifita", "Tupou", "Anderson",
)

# (country, region, city, latitude, longitude, timezone minutes east of UTC, locale,
#  calling code, a street of the city)
CITIES: tuple[tuple[str, str, str, float, float, int, str, str, str], ...] = (
    ("FR", "Île-de-France", "Paris", 48.8566, 2.3522, 60, "fr", "+33", "Rue de Rivoli"),
    ("FR", "Auvergne-Rhône-Alpes", "Lyon", 45.764, 4.8357, 60, "fr", "+33", "Rue Mercière"),
    ("DE", "Berlin", "Berlin", 52.52, 13.405, 60, "de", "+49", "Torstraße"),
    ("DE", "Bavaria", "Munich", 48.1351, 11.582, 60, "de", "+49", "Leopoldstraße"),
    ("GB", "England", "London", 51.5074, -0.1278, 0, "en-GB", "+44", "Camden High Street"),
    ("GB", "Scotland", "Edinburgh", 55.9533, -3.1883, 0, "en-GB", "+44", "Leith Walk"),
    ("IE", "Leinster", "Dublin", 53.3498, -6.2603, 0, "en-IE", "+353", "Grafton Street"),
    ("ES", "Madrid", "Madrid", 40.4168, -3.7038, 60, "es", "+34", "Calle de Alcalá"),
    ("ES", "Catalonia", "Barcelona", 41.3874, 2.1686, 60, "es", "+34", "Carrer de Balmes"),
    ("PT", "Lisbon", "Lisbon", 38.7223, -9.1393, 0, "pt-PT", "+351", "Rua Augusta"),
    ("IT", "Lombardy", "Milan", 45.4642, 9.19, 60, "it", "+39", "Via Torino"),
    ("NL", "North Holland", "Amsterdam", 52.3676, 4.9041, 60, "nl", "+31", "Prinsengracht"),
    ("SE", "Stockholm", "Stockholm", 59.3293, 18.0686, 60, "sv", "+46", "Drottninggatan"),
    ("DK", "Capital Region", "Copenhagen", 55.6761, 12.5683, 60, "da", "+45", "Strøget"),
    ("FI", "Uusimaa", "Helsinki", 60.1699, 24.9384, 120, "fi", "+358", "Mannerheimintie"),
    ("PL", "Masovia", "Warsaw", 52.2297, 21.0122, 60, "pl", "+48", "ulica Marszałkowska"),
    ("UA", "Kyiv", "Kyiv", 50.4501, 30.5234, 120, "uk", "+380", "Khreshchatyk Street"),
    ("GR", "Attica", "Athens", 37.9838, 23.7275, 120, "el", "+30", "Ermou Street"),
    ("TR", "Istanbul", "Istanbul", 41.0082, 28.9784, 180, "tr", "+90", "İstiklal Caddesi"),
    ("IL", "Tel Aviv", "Tel Aviv", 32.0853, 34.7818, 120, "he", "+972", "Rothschild Blvd"),
    ("MA", "Casablanca-Settat", "Casablanca", 33.5731, -7.5898, 60, "fr", "+212",
     "Boulevard d'Anfa"),
    ("NG", "Lagos", "Lagos", 6.5244, 3.3792, 60, "en", "+234", "Awolowo Road"),
    ("GH", "Greater Accra", "Accra", 5.6037, -0.187, 0, "en", "+233", "Oxford Street"),
    ("SN", "Dakar", "Dakar", 14.7167, -17.4677, 0, "fr", "+221", "Avenue Cheikh Anta Diop"),
    ("KE", "Nairobi", "Nairobi", -1.2921, 36.8219, 180, "en", "+254", "Moi Avenue"),
    ("ZA", "Gauteng", "Johannesburg", -26.2041, 28.0473, 120, "en-ZA", "+27",
     "Jan Smuts Avenue"),
    ("AE", "Dubai", "Dubai", 25.2048, 55.2708, 240, "ar", "+971", "Sheikh Zayed Road"),
    ("IN", "Maharashtra", "Mumbai", 19.076, 72.8777, 330, "en-IN", "+91", "Linking Road"),
    ("IN", "Karnataka", "Bengaluru", 12.9716, 77.5946, 330, "en-IN", "+91", "MG Road"),
    ("SG", "Singapore", "Singapore", 1.3521, 103.8198, 480, "en-SG", "+65", "Orchard Road"),
    ("ID", "Jakarta", "Jakarta", -6.2088, 106.8456, 420, "id", "+62", "Jalan Sudirman"),
    ("VN", "Ho Chi Minh City", "Ho Chi Minh City", 10.8231, 106.6297, 420, "vi", "+84",
     "Đường Đồng Khởi"),
    ("CN", "Shanghai", "Shanghai", 31.2304, 121.4737, 480, "zh-CN", "+86", "Nanjing Road"),
    ("JP", "Tokyo", "Tokyo", 35.6762, 139.6503, 540, "ja", "+81", "Omotesando"),
    ("KR", "Seoul", "Seoul", 37.5665, 126.978, 540, "ko", "+82", "Sejong-daero"),
    ("AU", "New South Wales", "Sydney", -33.8688, 151.2093, 600, "en-AU", "+61",
     "George Street"),
    ("NZ", "Auckland", "Auckland", -36.8485, 174.7633, 720, "en-NZ", "+64", "Queen Street"),
    ("US", "New York", "New York", 40.7128, -74.006, -300, "en-US", "+1", "Broadway"),
    ("US", "California", "San Francisco", 37.7749, -122.4194, -480, "en-US", "+1",
     "Valencia Street"),
    ("US", "Texas", "Austin", 30.2672, -97.7431, -360, "en-US", "+1", "Congress Avenue"),
    ("CA", "Ontario", "Toronto", 43.6532, -79.3832, -300, "en-CA", "+1", "Queen Street West"),
    ("CA", "Quebec", "Montréal", 45.5017, -73.5673, -300, "fr-CA", "+1", "Rue Saint-Denis"),
    ("MX", "Mexico City", "Mexico City", 19.4326, -99.1332, -360, "es-MX", "+52",
     "Avenida Reforma"),
    ("BR", "São Paulo", "São Paulo", -23.5505, -46.6333, -180, "pt-BR", "+55",
     "Avenida Paulista"),
    ("AR", "Buenos Aires", "Buenos Aires", -34.6037, -58.3816, -180, "es-AR", "+54",
     "Avenida Corrientes"),
    ("CO", "Bogotá", "Bogotá", 4.711, -74.0721, -300, "es-CO", "+57", "Carrera Séptima"),
)

# (website name, domain) for the plugin's websites.
WEBSITES: tuple[tuple[str, str], ...] = (
    ("Northwind Outdoor", "northwind-outdoor.com"), ("Lumen Analytics", "lumenanalytics.io"),
    ("Café Margaux", "cafe-margaux.fr"), ("Harbor & Pine", "harborandpine.co"),
    ("Kiwi Tours", "kiwitours.nz"), ("Sakura Stationery", "sakura-stationery.jp"),
    ("Atlas Freight", "atlasfreight.com"), ("Bloom Yoga Studio", "bloomyoga.studio"),
    ("Pixelforge", "pixelforge.dev"), ("Casa Verde Plants", "casaverde.mx"),
    ("Nordlys Design", "nordlys.dk"), ("Savanna Coffee", "savannacoffee.co.ke"),
)

# Companies people work for: (name, domain, industry, employees, city index into CITIES).
COMPANIES: tuple[tuple[str, str, str, int, int], ...] = (
    ("Brightwave Media", "brightwave.media", "Media", 45, 4),
    ("Quanta Robotics", "quanta-robotics.com", "Robotics", 320, 38),
    ("Helios Energy", "helios-energy.de", "Energy", 1200, 2),
    ("Maple Leaf Logistics", "mapleleaflogistics.ca", "Logistics", 540, 40),
    ("Tokyo Bytes", "tokyobytes.jp", "Software", 85, 33),
    ("Lagos Fintech Hub", "lagosfintech.ng", "Financial services", 60, 21),
    ("Andes Textiles", "andestextiles.co", "Apparel", 230, 45),
    ("Fjord Seafood", "fjordseafood.se", "Food", 410, 12),
    ("Kangaroo Analytics", "kangaroo-analytics.com.au", "Software", 38, 35),
    ("Mumbai Spice Co.", "mumbaispice.in", "Food", 150, 27),
    ("Riviera Hotels", "rivierahotels.it", "Hospitality", 2600, 10),
    ("Baltic Games", "balticgames.pl", "Gaming", 95, 15),
    ("Cedar Health", "cedarhealth.org", "Healthcare", 780, 37),
    ("Soleil Cosmetics", "soleil-cosmetics.fr", "Cosmetics", 120, 0),
    ("Pampas Agro", "pampasagro.com.ar", "Agriculture", 340, 44),
    ("Dragonfly Education", "dragonfly.edu.sg", "Education", 70, 29),
)

JOB_TITLES: tuple[tuple[str, str, str], ...] = (  # (title, role, seniority)
    ("Marketing Manager", "marketing", "manager"), ("Software Engineer", "engineering", "senior"),
    ("Founder", "ceo", "executive"), ("Operations Lead", "operations", "manager"),
    ("Product Designer", "design", "senior"), ("Office Manager", "operations", "junior"),
    ("Head of Sales", "sales", "director"), ("Data Analyst", "finance", "junior"),
    ("Customer Success Manager", "customer_service", "manager"), ("CTO", "cto", "executive"),
)

OPERATOR_TITLES: tuple[str, ...] = (
    "Head of Support", "Support Engineer", "Customer Success", "Account Manager",
    "Technical Support", "Community Manager", "Billing Specialist", "Onboarding Specialist",
)

EMAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "gmx.de",
    "orange.fr", "libero.it", "yandex.com", "naver.com", "qq.com", "hotmail.co.uk",
    "web.de", "free.fr", "uol.com.br", "mail.com",
)

ISPS: tuple[tuple[str, str], ...] = (  # (isp, asn)
    ("Orange S.A.", "AS3215"), ("Deutsche Telekom AG", "AS3320"), ("Comcast Cable", "AS7922"),
    ("Verizon Business", "AS701"), ("British Telecommunications", "AS2856"),
    ("Telefonica de Espana", "AS3352"), ("NTT Communications", "AS4713"),
    ("China Telecom", "AS4134"), ("Reliance Jio", "AS55836"), ("Safaricom", "AS33771"),
    ("MTN Nigeria", "AS29465"), ("Vodafone GmbH", "AS3209"), ("Telstra", "AS1221"),
    ("Claro Brasil", "AS28573"), ("Rogers Communications", "AS812"), ("Free SAS", "AS12322"),
)

# (os name, os version, browser, browser version, engine, engine version, capabilities key)
SYSTEMS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("Windows", "10", "Chrome", "124.0", "Blink", "124.0", "desktop"),
    ("Windows", "11", "Edge", "123.0", "Blink", "123.0", "desktop"),
    ("Windows", "11", "Firefox", "125.0", "Gecko", "125.0", "desktop"),
    ("Mac OS", "14.4", "Safari", "17.4", "WebKit", "618.1", "desktop"),
    ("Mac OS", "13.6", "Chrome", "124.0", "Blink", "124.0", "desktop"),
    ("Linux", "x86_64", "Firefox", "124.0", "Gecko", "124.0", "desktop"),
    ("iOS", "17.4", "Mobile Safari", "17.4", "WebKit", "618.1", "mobile"),
    ("iOS", "16.7", "Mobile Safari", "16.6", "WebKit", "615.3", "mobile"),
    ("Android", "14", "Chrome", "124.0", "Blink", "124.0", "mobile"),
    ("Android", "13", "Samsung Browser", "24.0", "Blink", "117.0", "mobile"),
)

CAPABILITIES: dict[str, list[str]] = {
    "desktop": ["websocket", "webrtc", "notifications", "browsing"],
    "mobile": ["websocket", "notifications", "touch"],
}

# Pages of a shop or SaaS site: (title, path).
PAGES: tuple[tuple[str, str], ...] = (
    ("Home", "/"), ("Pricing", "/pricing"), ("Features", "/features"), ("Blog", "/blog"),
    ("Checkout", "/checkout"), ("My account", "/account"), ("Order tracking", "/orders/track"),
    ("Contact us", "/contact"), ("Shipping & returns", "/help/shipping"),
    ("Integrations", "/integrations"), ("Sign up", "/signup"), ("Documentation", "/docs"),
)

REFERRERS: tuple[str, ...] = (
    "", "https://www.google.com/", "https://duckduckgo.com/", "https://www.bing.com/",
    "https://t.co/", "https://www.facebook.com/", "https://news.ycombinator.com/",
    "https://www.linkedin.com/",
)

SEGMENTS: tuple[str, ...] = (
    "customer", "lead", "vip", "trial", "churn-risk", "newsletter", "enterprise", "partner",
    "beta", "b2b", "returning", "mobile",
)

SETTINGS_TAGS: tuple[str, ...] = (
    "billing", "shipping", "bug", "feature-request", "refund", "onboarding", "priority",
    "api", "account",
)

PLANS: tuple[str, ...] = ("Free", "Mini", "Essentials", "Unlimited")

PERSON_NOTES: tuple[str, ...] = (
    "Prefers email over chat.", "Long-time customer, very friendly.",
    "Asked about volume discounts last quarter.", "Speaks French and Spanish.",
    "Had a delivery issue in March; refunded.", "Interested in the enterprise plan.",
    "Beta tester for the mobile app.", "Do not offer the annual plan again; declined twice.",
)

PERSON_DESCRIPTIONS: tuple[str, ...] = (
    "Runs a small online shop.", "Freelance designer.", "Works in operations.",
    "Loves hiking gear.", "Building a side project.", "Team lead at a growing startup.",
)

# Person events: (text, data, color). Shared data dicts: events are read, never edited.
PERSON_EVENTS: tuple[tuple[str, dict[str, object], str], ...] = (
    ("Signed up", {"plan": "free", "source": "landing"}, "green"),
    ("Upgraded plan", {"plan": "unlimited", "seats": 5}, "blue"),
    ("Placed an order", {"order_id": "A-1042", "amount": 89.9}, "purple"),
    ("Requested a refund", {"order_id": "A-0981", "amount": 24.5}, "orange"),
    ("Cancelled subscription", {"reason": "too expensive"}, "red"),
    ("Invited a teammate", {"seats": 2}, "blue"),
    ("Opened the newsletter", {"campaign": "spring-sale"}, "grey"),
    ("Logged in", {}, "grey"),
)

# Conversation events (session:sync:events).
SESSION_EVENTS: tuple[tuple[str, dict[str, object], str], ...] = (
    ("Viewed pricing", {"page": "/pricing"}, "blue"),
    ("Added to cart", {"sku": "NW-TENT-2P", "quantity": 1}, "green"),
    ("Started checkout", {"total": 129.0}, "purple"),
    ("Payment failed", {"code": "card_declined"}, "red"),
    ("Coupon applied", {"code": "WELCOME10"}, "orange"),
)

PERSON_DATA_KEYS: tuple[tuple[str, tuple[object, ...]], ...] = (
    ("plan", ("free", "mini", "essentials", "unlimited")),
    ("orders", (0, 1, 2, 3, 5, 8, 13)),
    ("newsletter", (True, False)),
    ("lifetime_value", (0, 19.9, 89.5, 240.0, 1234.75)),
    ("referral", ("google", "friend", "podcast", "twitter", "")),
)
