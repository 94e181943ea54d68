package synth

import "strings"

// name is a display value and its lower-case ASCII form (for emails, URLs).
type name struct{ disp, fold string }

func folded(list ...string) []name {
	out := make([]name, len(list))
	for i, s := range list {
		var f strings.Builder
		for _, r := range strings.ToLower(s) {
			if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
				f.WriteRune(r)
			}
		}
		out[i] = name{s, f.String()}
	}
	return out
}

var firstNames = folded(
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
	"David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
	"Thomas", "Sarah", "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy",
	"Matthew", "Priya", "Anthony", "Margaret", "Mark", "Sandra", "Wei", "Ashley",
	"Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle",
	"Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Aisha",
	"Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Sharon", "Edward", "Laura",
	"Jeffrey", "Mary Ann", "Ryan", "Kathleen", "Hiroshi", "Amy", "Gary", "Angela",
)

var lastNames = folded(
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
	"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
	"Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
	"Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
	"Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
	"Carter", "Roberts", "O'Brien", "van der Berg", "Patel", "Kim", "Chen", "Singh",
	"Cohen", "Murphy", "Schmidt", "Rossi", "Tanaka",
)

var firstNamesIntl = []name{
	{"Jürgen", "juergen"}, {"Zoë", "zoe"}, {"José", "jose"}, {"李", "li"},
	{"Øyvind", "oyvind"}, {"François", "francois"}, {"Łukasz", "lukasz"}, {"Søren", "soren"},
	{"Zoltán", "zoltan"}, {"Małgorzata", "malgorzata"}, {"Björn", "bjorn"}, {"Ana María", "anamaria"},
	{"Çağla", "cagla"}, {"Dmitrij", "dmitrij"}, {"伟", "wei"}, {"민준", "minjun"},
}

var lastNamesIntl = []name{
	{"Müller", "mueller"}, {"Núñez", "nunez"}, {"Østergaard", "ostergaard"}, {"王", "wang"},
	{"김", "kim"}, {"Dvořák", "dvorak"}, {"Çelik", "celik"}, {"García Márquez", "garciamarquez"},
	{"Lefèvre", "lefevre"}, {"Wójcik", "wojcik"}, {"Sæther", "saether"}, {"Gößmann", "goessmann"},
	{"佐藤", "sato"}, {"Ångström", "angstrom"},
}

var companyPrefixes = folded(
	"Acme", "Globex", "Initech", "Umbrella", "Vandelay", "Hooli", "Soylent", "Cyberdyne",
	"Tyrell", "Wonka", "Nakatomi", "Oceanic", "Blue Harbor", "Northwind", "Summit", "Vertex",
	"Nimbus", "Quantum", "Ironclad", "Silverline", "Brightpath", "Pacific", "Atlas", "Orbit",
	"Cobalt", "Granite", "Juniper", "Lumen", "Meridian", "Nova", "Polar", "Redwood",
	"Sierra", "Tandem", "Velocity", "Keystone", "Bluebird", "Evergreen", "Falcon", "Helix",
)

var companyPrefixesIntl = []name{
	{"Müller & Söhne", "muellersoehne"}, {"Société Lumière", "societelumiere"},
	{"Øresund", "oresund"}, {"Zürich", "zuerich"}, {"São Paulo", "saopaulo"},
	{"Kraków", "krakow"}, {"東京", "tokyo"}, {"Ærø", "aero"},
}

var companyNouns = folded(
	"Robotics", "Analytics", "Logistics", "Health", "Foods", "Systems", "Labs", "Software",
	"Energy", "Capital", "Media", "Networks", "Pharma", "Dynamics", "Solutions", "Partners",
	"Data", "Cloud", "Security", "Materials", "Aerospace", "Retail", "Insurance", "Learning",
)

var companySuffixes = []string{
	"", "", "", " Inc.", ", Inc.", " LLC", ", LLC", " GmbH", " Ltd.", " AG", " S.A.", " Corp.", " Co., Ltd.",
}

var titles = []string{
	"CEO", "CTO", "CFO", "COO", "VP Sales", "VP Marketing", "VP of Engineering",
	"Director of Sales", "Director, Sales Operations", "Director of Marketing", "Head of RevOps",
	"Marketing Manager", "Sales Manager", "Account Executive", "Senior Account Executive",
	"Sales Development Representative", "Business Development Manager", "Marketing Operations Manager",
	"Data Engineer", "Senior Data Engineer", "Analytics Engineer", "Software Engineer",
	"Product Manager", "IT Manager", "Procurement Specialist", "Office Manager",
	"Customer Success Manager", "Founder & CEO", "Partner", "Consultant",
	`"Chief Happiness Officer"`, "Head of Growth, EMEA", "Directeur Général", "Geschäftsführer",
}

// titlesNL contain a newline (written inside CSV quotes).
var titlesNL = []string{
	"Head of Sales\nEMEA", "VP Marketing\nNorth America", "Director\nData & Analytics",
}

var leadSources = []string{
	"Website", "Trade Show", "Webinar", "Paid Search", "Partner", "List Import",
	"Sales Generated", "Content Syndication", "Organic Search", "Referral",
}

var freeMailDomains = []string{"mail.example.org", "inbox.example.net", "post.example.org"}

var userAgents = []string{
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
	"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
}

type webPage struct {
	id  int
	url string
}

var webPages = []webPage{
	{101, "www.example.com/pricing"}, {102, "www.example.com/product"},
	{103, "www.example.com/blog/etl-best-practices"}, {104, "www.example.com/contact-us"},
	{105, "www.example.com/careers"}, {106, "www.example.com/docs/getting-started"},
	{107, "www.example.com/demo"}, {108, "www.example.com/customers/acme"},
}

var webForms = []webPage{
	{1001, "Contact Us"}, {1002, "Request a Demo"}, {1003, "Webinar Registration"}, {1004, "Newsletter Signup"},
}

var programs = []string{
	"NUR-2025 Onboarding Nurture", "WBN-2025-03 Webinar: Data Pipelines", "NL-2025 Monthly Newsletter",
	"EVT-2025 Summit Invite", "PRD-2025 Launch, Wave 2", "ABM-2025 Tier 1 Accounts",
}

var programEmails = []string{"Invite 1", "Invite 2", "Reminder", "Follow-up", "Thank You", "Issue 7"}

var salesSubjects = []string{
	"Intro", "Quick question", "Following up on our call", `Re: "Q3" planning`,
	"Démo de la plateforme", "Pricing, as promised", "Can we find 15 minutes?", "Next steps",
	"Ihre Anfrage zu unserer Lösung", "Checking in",
}

var salesTemplates = []string{"T1", "T2", "Cold Outreach v2", "Follow-up (3 days)", "Post-webinar", "Breakup"}

var salesCampaigns = []string{"Q2 Outbound", "Webinar Follow-up", "Enterprise Expansion", "Reactivation, 2025"}

var momentDescriptions = []struct{ kind, desc string }{
	{"Web", "Visited pricing page"}, {"Web", "Visited the demo page 3 times"},
	{"Email", `Opened sales email "Intro"`}, {"Milestone", "Downloaded whitepaper: Data Sync 101"},
	{"Milestone", "Attended webinar, asked 2 questions"}, {"Web", "Filled out Contact Us form"},
}

var bounceDetails = []string{
	"550 5.1.1 Recipient address rejected: User unknown",
	"552 5.2.2 Mailbox full",
	"554 5.7.1 Message rejected as spam",
}

var newLeadSources = []string{"Web form fillout", "List import", "Salesforce.com", "Web service API", "New person"}
