"""Vocabulary for the benchmark corpus: names, places, sentence and log templates.

Kept apart from the generator so the generator reads as the recipe only.
"""
from __future__ import annotations

FIRST = ("Amelia", "Oliver", "Isla", "Muhammad", "Freya", "Jack", "Maryam", "Leo", "Poppy", "Kai", "Sienna",
         "Harvey", "Aisha", "Tomasz", "Grace", "Reuben", "Niamh", "Ibrahim", "Lily", "Dylan", "Chloe", "Arjun",
         "Evie", "Callum", "Zainab", "Owen", "Hannah", "Bartosz", "Ruby", "Ethan")
LAST = ("Hargreaves", "Akhtar", "Kowalski", "Sutcliffe", "Nwosu", "Ramsden", "Begum", "Thwaite", "Okafor",
        "Whitaker", "Iqbal", "Lumb", "Fairbairn", "Mensah", "Holroyd", "Chaudhry", "Dobson", "Ellis", "Pryce",
        "Shah", "Brennan", "Wozniak", "Hussain", "Atkinson", "Kaur", "Fletcher", "Adeyemi", "Marsden")
DISTRICTS = ("LS1", "LS2", "LS6", "LS7", "LS8", "LS11", "LS28", "BD1", "BD3", "BD8", "BD18", "WF1", "WF17", "HX1",
             "HD1", "S1", "S10", "M1", "M14", "B15", "L1", "NE1", "YO1", "HU1", "DN1", "SW1A", "EC1A", "CF10")
STREETS = ("Kirkgate", "Otley Road", "Roundhay Road", "Dewsbury Road", "Leeds Road", "Manor Row", "Westgate",
           "Stanningley Road", "Harehills Lane", "Park Row", "Commercial Street", "Station Road", "High Street")
TOWNS = ("Leeds", "Bradford", "Wakefield", "Halifax", "Huddersfield", "Sheffield", "York", "Hull")
# Templates valid in libphonenumber's UK plan for any digits in place of #.
# Not Ofcom's drama ranges: pdscan drops those as never issued.
PHONE_TEMPLATES = ("07123 ######", "07400 ######", "07456 ######", "07800 ######", "07987 ######",
                   "0113 2## ####", "0114 2## ####", "0117 9## ####", "0121 2## ####", "0161 2## ####",
                   "020 3### ####", "028 90## ####", "+44 7400 ######", "+44 20 3### ####")
DOMAINS = ("aireside-college-test.ac.uk", "learner.aireside-college-test.ac.uk", "mailbox-test.co.uk",
           "westfield-test.org.uk")
BANKS = ("NWBK", "BARC", "LOYD", "HBUK", "MIDL")

SUBJECTS = ("The course team", "Our finance office", "The learner services desk", "Each tutor", "The exam board",
            "The estates team", "A member of staff", "The timetable", "The library", "The careers adviser")
VERBS = ("reviewed", "updated", "approved", "rescheduled", "discussed", "archived", "checked", "circulated",
         "summarised", "postponed")
OBJECTS = ("the assessment plan", "the room bookings", "the marking schedule", "the purchase requests",
           "the attendance figures", "the placement handbook", "the induction slides", "the budget forecast",
           "the equipment list", "the minutes of the last meeting")
TAILS = ("before the end of term.", "after the half-term break.", "in line with the new policy.",
         "at the request of the head of department.", "so that everyone has the same version.",
         "and will report back next week.", "once the figures were confirmed.", "without any further changes.",
         "as agreed at the planning meeting.", "ahead of the governors' visit.")

# Identifier sentences: {slots} are filled from one fake person.
ID_SENTENCES = (
    ("email", "Please reply to {name} at {email} about the placement."),
    ("uk.nhs", "{name}'s NHS number is {nhs} according to the health form."),
    ("uk.nino", "National Insurance number: {nino}"),
    ("uk.uln", "The ULN {uln} was matched to the learner record for {name}."),
    ("uk.postcode", "Correspondence address: {house} {street}, {town} {postcode}."),
    ("uk.phone", "{name} asked to be called back on {phone}."),
    ("date_of_birth", "Name: {name}, date of birth: {dob}"),
    ("uk.bank_account", "Bursary paid to sort code {sort_code}, account number {account}."),
    ("iban", "Refund to IBAN {iban} for {name}."),
    ("payment_card", "Deposit taken on card {card} at reception."),
    ("special.health", "{name} was diagnosed with asthma and carries an inhaler."),
    ("special.other", "A safeguarding concern about {name} was referred to the DSL."),
)
# Things that look like identifiers and are not: {slots} from the look-alike maker.
LOOKALIKE_SENTENCES = (
    "Course text ISBN {isbn}, ordered for the library.",
    "Order no. {order} was dispatched on {date}.",
    "Invoice date: {date}, reference {order}.",
    "Build {version} was deployed to the intranet.",
    "Supplier contact: orders@example.com",
)
LOG_LEVELS = ("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")
LOG_COMPONENTS = ("auth", "sync", "mailer", "scheduler", "api", "reports", "storage")
LOG_MESSAGES = ("request completed status=200 bytes={n}", "cache miss key=timetable:{n}",
                "retrying upload attempt={small}", "job finished elapsed_ms={n}", "session refreshed id={hex}",
                "connection pool size={small}", "rotated log file part={small}", "GET /api/rooms/{n} 200",
                "queued message id={hex}", "heartbeat from node-{small}")
LOG_ID_MESSAGES = (
    ("email", "login ok user={email}"),
    ("uk.nhs", "lookup patient nhs={nhs} result=found"),
    ("uk.nino", "payroll import ni={nino} ok"),
    ("uk.uln", "lrs match uln={uln} score=0.98"),
    ("uk.phone", "sms queued to={phone}"),
    ("payment_card", "payment declined card={card}"),
)
