/// The words the generated data is made of: names and phone plans of several countries,
/// agents, labels, organizations. Kept apart from the generator so that the generator reads
/// as rules, not lists.
enum Vocabulary {
    struct Country {
        let code: String  // ISO 3166 alpha-2
        let weight: Double
        let firstNames: [String]
        let lastNames: [String]
        /// E.164 country calling code and national significant number plan.
        let callingCode: String
        /// Leading digits of mobile numbers; the rest is random to `nationalLength`.
        let mobilePrefixes: [String]
        let nationalLength: Int
        let emailDomains: [String]
    }

    static let countries: [Country] = [
        Country(
            code: "US", weight: 22,
            firstNames: ["James", "Mary", "Michael", "Jennifer", "David", "Linda", "Chris", "Ashley", "Brian", "Megan",
                         "Kevin", "Emily", "Jason", "Sarah", "Tyler", "Olivia"],
            lastNames: ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
                        "Taylor", "Thomas", "Moore", "Jackson", "White", "Harris", "Clark"],
            callingCode: "1", mobilePrefixes: ["212", "305", "312", "415", "512", "617", "646", "702", "786", "917"],
            nationalLength: 10, emailDomains: ["gmail.com", "yahoo.com", "outlook.com", "icloud.com"]),
        Country(
            code: "MX", weight: 18,
            firstNames: ["José", "María", "Juan", "Guadalupe", "Luis", "Fernanda", "Carlos", "Sofía", "Jorge",
                         "Valeria", "Miguel", "Ximena", "Alejandro", "Daniela"],
            lastNames: ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez",
                        "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez"],
            callingCode: "52", mobilePrefixes: ["55", "33", "81", "222", "442", "998"],
            nationalLength: 10, emailDomains: ["gmail.com", "hotmail.com", "outlook.com", "prodigy.net.mx"]),
        Country(
            code: "BR", weight: 16,
            firstNames: ["João", "Ana", "Pedro", "Beatriz", "Lucas", "Júlia", "Gabriel", "Larissa", "Rafael",
                         "Camila", "Mateus", "Letícia"],
            lastNames: ["Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Ferreira", "Costa", "Rodrigues",
                        "Almeida", "Nascimento", "Carvalho"],
            callingCode: "55", mobilePrefixes: ["119", "219", "319", "419", "519", "619", "719", "819"],
            nationalLength: 11, emailDomains: ["gmail.com", "hotmail.com", "uol.com.br", "bol.com.br"]),
        Country(
            code: "ES", weight: 9,
            firstNames: ["Antonio", "Carmen", "Manuel", "Lucía", "Javier", "Marta", "Pablo", "Elena", "Sergio",
                         "Paula", "Álvaro", "Nuria"],
            lastNames: ["García", "Fernández", "González", "Rodríguez", "López", "Martín", "Sánchez", "Jiménez",
                        "Ruiz", "Navarro", "Torres", "Domínguez"],
            callingCode: "34", mobilePrefixes: ["6", "7"],
            nationalLength: 9, emailDomains: ["gmail.com", "hotmail.es", "telefonica.net", "yahoo.es"]),
        Country(
            code: "AR", weight: 7,
            firstNames: ["Santiago", "Martina", "Mateo", "Catalina", "Benjamín", "Valentina", "Joaquín", "Florencia",
                         "Tomás", "Agustina"],
            lastNames: ["González", "Rodríguez", "Gómez", "Fernández", "López", "Díaz", "Martínez", "Pérez",
                        "Romero", "Sosa"],
            // Argentine mobiles in E.164 carry a 9 before the area code.
            callingCode: "54", mobilePrefixes: ["911", "9351", "9341", "9261"],
            nationalLength: 11, emailDomains: ["gmail.com", "hotmail.com.ar", "yahoo.com.ar"]),
        Country(
            code: "GB", weight: 8,
            firstNames: ["Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Freya", "Charlie", "Poppy"],
            lastNames: ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts",
                        "Walker"],
            callingCode: "44", mobilePrefixes: ["73", "74", "75", "77", "78", "79"],
            nationalLength: 10, emailDomains: ["gmail.com", "btinternet.com", "outlook.com", "sky.com"]),
        Country(
            code: "IN", weight: 8,
            firstNames: ["Aarav", "Priya", "Vihaan", "Ananya", "Arjun", "Diya", "Rohan", "Isha", "Karan", "Sneha"],
            lastNames: ["Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Mehta", "Das"],
            callingCode: "91", mobilePrefixes: ["98", "97", "96", "91", "88", "70", "63"],
            nationalLength: 10, emailDomains: ["gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com"]),
        Country(
            code: "NG", weight: 5,
            firstNames: ["Chinedu", "Ngozi", "Emeka", "Aisha", "Tunde", "Funmilayo", "Ibrahim", "Chiamaka", "Segun",
                         "Zainab"],
            lastNames: ["Okafor", "Adeyemi", "Bello", "Okonkwo", "Eze", "Abubakar", "Balogun", "Nwosu", "Olawale",
                        "Musa"],
            callingCode: "234", mobilePrefixes: ["803", "806", "813", "703", "706", "810", "903"],
            nationalLength: 10, emailDomains: ["gmail.com", "yahoo.com", "outlook.com"]),
        Country(
            code: "DE", weight: 4,
            firstNames: ["Lukas", "Anna", "Felix", "Lea", "Jonas", "Hannah", "Leon", "Mia", "Paul", "Emma"],
            lastNames: ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
                        "Hoffmann"],
            callingCode: "49", mobilePrefixes: ["151", "152", "157", "160", "170", "171", "176"],
            nationalLength: 11, emailDomains: ["gmail.com", "web.de", "gmx.de", "t-online.de"]),
        Country(
            code: "FR", weight: 3,
            firstNames: ["Gabriel", "Jade", "Louis", "Louise", "Raphaël", "Emma", "Jules", "Chloé", "Hugo", "Inès"],
            lastNames: ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
                        "Moreau"],
            callingCode: "33", mobilePrefixes: ["6", "7"],
            nationalLength: 9, emailDomains: ["gmail.com", "orange.fr", "free.fr", "laposte.net"]),
    ]

    static let agentNames = [
        "Lucía Romero", "Marcus Chen", "Priya Nair", "Diego Alvarez", "Hannah Weber", "Samuel Okoye",
        "Camille Laurent", "Rafael Costa", "Emily Carter", "Tomás Ruiz", "Aisha Bello", "Noah Fischer",
        "Valentina Sosa", "Oliver Grant", "Mei Tanaka", "Karim Haddad",
    ]

    static let organizationNames = [
        "Acme Retail", "Globex Logistics", "Initech Finance", "Umbrella Clinics", "Soylent Foods", "Stark Motors",
        "Wayne Travel", "Hooli Telecom", "Vandelay Imports", "Pied Piper Cloud",
    ]

    /// Words a support team tags conversations with. Customer traits first, then
    /// per-conversation tags; `labelVocabulary` sorts them, and bit i of a label mask is
    /// `labelVocabulary[i]`.
    static let traitLabels = ["vip", "wholesale", "churn-risk", "new"]
    static let conversationLabels = ["refund", "urgent", "follow-up", "bug", "delivery", "upsell"]
    static let labelVocabulary: [String] = (traitLabels + conversationLabels).sorted()

    static func labelBit(_ label: String) -> UInt32 {
        UInt32(1) << UInt32(labelVocabulary.firstIndex(of: label)!)
    }

    static func labels(of mask: UInt32) -> [String] {
        var out: [String] = []
        for (i, l) in labelVocabulary.enumerated() where mask & (1 << UInt32(i)) != 0 { out.append(l) }
        return out
    }

    /// `asciiFold` of every first and last name, computed once.
    static let foldedNames: [String: String] = {
        var m: [String: String] = [:]
        for c in countries { for n in c.firstNames + c.lastNames { m[n] = asciiFold(n) } }
        return m
    }()

    /// ASCII letters for an email local part: "José Pérez" → "jose", "perez".
    static func asciiFold(_ s: String) -> String {
        var out = ""
        for ch in s.lowercased() {
            switch ch {
            case "á", "à", "â", "ã", "ä": out.append("a")
            case "é", "è", "ê", "ë": out.append("e")
            case "í", "ì", "î", "ï": out.append("i")
            case "ó", "ò", "ô", "õ", "ö": out.append("o")
            case "ú", "ù", "û", "ü": out.append("u")
            case "ñ": out.append("n")
            case "ç": out.append("c")
            case "ß": out.append("ss")
            case "a"..."z", "0"..."9": out.append(ch)
            default: break
            }
        }
        return out
    }
}
