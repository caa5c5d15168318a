import Foundation

/// Incremental lift of a campaign against its holdout: the conversion rates of both groups, the absolute
/// and relative difference, a 95% confidence interval (Wald, unpooled standard error) and a two-sided
/// p-value (two-proportion z-test, pooled standard error), with a plain-words reading.
public struct LiftEstimate: Sendable, Hashable, Codable {
    public var treatmentPeople: Int
    public var treatmentConverted: Int
    public var holdoutPeople: Int
    public var holdoutConverted: Int
    /// Conversion rate of people sent to (or eligible and not held out).
    public var treatmentRate: Double?
    public var holdoutRate: Double?
    /// treatmentRate − holdoutRate.
    public var absoluteLift: Double?
    /// absoluteLift / holdoutRate; `nil` when the holdout converted nobody.
    public var relativeLift: Double?
    /// 95% confidence interval of the absolute lift.
    public var confidenceInterval: [Double]?
    public var pValue: Double?
    public var reading: String

    /// The z of a two-sided 95% interval.
    static let z95 = 1.959963984540054

    public init(treatmentPeople: Int, treatmentConverted: Int, holdoutPeople: Int, holdoutConverted: Int) {
        self.treatmentPeople = treatmentPeople
        self.treatmentConverted = treatmentConverted
        self.holdoutPeople = holdoutPeople
        self.holdoutConverted = holdoutConverted
        guard treatmentPeople > 0, holdoutPeople > 0 else {
            reading = holdoutPeople == 0 ? "no holdout: lift cannot be measured" : "nobody was sent to yet"
            treatmentRate = treatmentPeople > 0 ? Double(treatmentConverted) / Double(treatmentPeople) : nil
            holdoutRate = holdoutPeople > 0 ? Double(holdoutConverted) / Double(holdoutPeople) : nil
            return
        }
        let (n1, n2) = (Double(treatmentPeople), Double(holdoutPeople))
        let (p1, p2) = (Double(treatmentConverted) / n1, Double(holdoutConverted) / n2)
        let difference = p1 - p2
        treatmentRate = p1
        holdoutRate = p2
        absoluteLift = difference
        relativeLift = p2 > 0 ? difference / p2 : nil
        let standardError = (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2).squareRoot()
        confidenceInterval = [difference - Self.z95 * standardError, difference + Self.z95 * standardError]
        let pooled = Double(treatmentConverted + holdoutConverted) / (n1 + n2)
        let pooledError = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        let pValue = pooledError > 0 ? erfc(abs(difference / pooledError) / 2.0.squareRoot()) : 1
        self.pValue = pValue
        let points = String(format: "%.2f", abs(difference) * 100)
        if pValue >= 0.05 {
            reading = "not significant at this sample size (p = \(String(format: "%.3f", pValue))): the campaign's effect cannot be told from chance"
        } else if difference > 0 {
            reading = "significant: the campaign raised conversion by \(points) percentage points (p = \(String(format: "%.3f", pValue)))"
        } else {
            reading = "significant: the campaign lowered conversion by \(points) percentage points (p = \(String(format: "%.3f", pValue)))"
        }
    }
}
