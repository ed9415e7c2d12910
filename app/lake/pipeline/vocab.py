"""Fixed word lists the generator draws from: places, vehicles, people, browsers.

Tuples, never sets or dicts iterated for choice, so the same seed always
picks the same words.
"""

from __future__ import annotations

REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("North West", ("Manchester", "Preston", "Bolton", "Warrington", "Wigan", "Chester")),
    ("Yorkshire", ("Leeds", "Sheffield", "York", "Bradford", "Wakefield", "Harrogate")),
    ("North East", ("Newcastle", "Sunderland", "Durham", "Middlesbrough")),
    ("West Midlands", ("Birmingham", "Coventry", "Wolverhampton", "Solihull", "Walsall")),
    ("East Midlands", ("Nottingham", "Leicester", "Derby", "Lincoln", "Northampton")),
    ("East of England", ("Norwich", "Cambridge", "Ipswich", "Peterborough", "Colchester")),
    ("London", ("Croydon", "Enfield", "Ealing", "Romford", "Barnet")),
    ("South East", ("Reading", "Brighton", "Guildford", "Maidstone", "Oxford", "Crawley")),
    ("South West", ("Bristol", "Exeter", "Plymouth", "Swindon", "Taunton")),
    ("Wales", ("Cardiff", "Swansea", "Newport", "Wrexham")),
    ("Scotland", ("Glasgow", "Edinburgh", "Aberdeen", "Dundee", "Stirling")),
)

SITE_SUFFIXES = (
    "Motors",
    "Car Centre",
    "Cars",
    "Autos",
    "Car Sales",
    "Motor Company",
    "Vehicle Sales",
    "Prestige",
)
FAMILY_NAMES = (
    "Ashworth",
    "Bennett",
    "Carter",
    "Dawson",
    "Ellis",
    "Fletcher",
    "Gibson",
    "Hughes",
    "Jennings",
    "Kemp",
    "Lawson",
    "Marsh",
    "Norton",
    "Owens",
    "Parker",
    "Quinn",
    "Rowe",
    "Shaw",
    "Turner",
    "Walsh",
)
GROUP_WORDS = ("Northgate", "Pennine", "Riverside", "Crown", "Meridian", "Summit", "Bridge")

# (package, advert allowance, least and most vehicles held, share of customers)
PACKAGES: tuple[tuple[str, int, int, int, float], ...] = (
    ("Starter", 10, 1, 3, 0.45),
    ("Standard", 25, 2, 4, 0.40),
    ("Premium", 60, 4, 8, 0.15),
)

# (make, model, body type, price new in pounds)
MODELS: tuple[tuple[str, str, str, int], ...] = (
    ("Ford", "Fiesta", "Hatchback", 19000),
    ("Ford", "Focus", "Hatchback", 24000),
    ("Ford", "Kuga", "SUV", 31000),
    ("Vauxhall", "Corsa", "Hatchback", 18500),
    ("Vauxhall", "Astra", "Hatchback", 23500),
    ("Volkswagen", "Polo", "Hatchback", 20500),
    ("Volkswagen", "Golf", "Hatchback", 27000),
    ("Volkswagen", "Tiguan", "SUV", 34000),
    ("BMW", "1 Series", "Hatchback", 29000),
    ("BMW", "3 Series", "Saloon", 38000),
    ("Audi", "A3", "Hatchback", 30000),
    ("Audi", "A4", "Estate", 37000),
    ("Mercedes-Benz", "A-Class", "Hatchback", 31000),
    ("Mercedes-Benz", "C-Class", "Saloon", 42000),
    ("Toyota", "Yaris", "Hatchback", 20000),
    ("Toyota", "Corolla", "Hatchback", 26000),
    ("Toyota", "RAV4", "SUV", 36000),
    ("Nissan", "Qashqai", "SUV", 28000),
    ("Nissan", "Juke", "SUV", 23000),
    ("Kia", "Sportage", "SUV", 29000),
    ("Hyundai", "Tucson", "SUV", 30000),
    ("Skoda", "Octavia", "Estate", 25500),
    ("Peugeot", "208", "Hatchback", 19500),
    ("Tesla", "Model 3", "Saloon", 42000),
    ("Land Rover", "Range Rover Evoque", "SUV", 45000),
)
FUELS: tuple[tuple[str, float], ...] = (
    ("Petrol", 0.52),
    ("Diesel", 0.30),
    ("Hybrid", 0.12),
    ("Electric", 0.06),
)
COLOURS = ("Black", "White", "Grey", "Silver", "Blue", "Red", "Green", "Orange")

FIRST_NAMES = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Grace",
    "Sophie",
    "Priya",
    "Aisha",
    "Emily",
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Muhammad",
    "Thomas",
    "James",
    "Kwame",
    "Wei",
    "Siobhan",
    "Rhys",
)
LAST_NAMES = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Khan",
    "Murphy",
    "Campbell",
    "O'Neill",
)
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.co.uk", "hotmail.co.uk", "icloud.com")

BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
)
# Search engines and SEO tools say who they are.
CRAWLERS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/122.0.0.0 Safari/537.36",
)
# Form-filling scripts that do not pretend to be browsers.
FORM_SCRIPTS = ("python-requests/2.31.0", "curl/8.4.0", "Scrapy/2.11.0 (+https://scrapy.org)")
SPAM_DOMAINS = ("mailinator.com", "guerrillamail.com", "leads-direct.biz")

REFERRERS = (
    "https://www.google.com/",
    "https://www.bing.com/",
    "https://www.facebook.com/",
    "https://mail.google.com/",
    None,  # typed the address or used a bookmark
)

# Timestamps nobody can parse: no format the refining rules know, and never all digits
# (which would be read as epoch seconds).
MALFORMED_TIMESTAMPS = (
    "31/02/2024 25:61",
    "2024-13-01T00:00:00Z",
    "0000-00-00 00:00:00",
    "not available",
    "yesterday 14:20",
    "14.05.2024 10h31",
    "#VALUE!",
    "2024-05-14T",
)
MISSING_ADVERT = (None, "", "N/A", "unknown", "0")
