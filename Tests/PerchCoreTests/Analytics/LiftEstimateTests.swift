import Foundation
import Testing
@testable import PerchCore

@Suite("Lift against the holdout")
struct LiftEstimateTests {
    /// 200 of 1,000 treated people converted (20%), 30 of 200 held out (15%).
    /// By hand: lift 0.05; SE = √(0.2·0.8/1000 + 0.15·0.85/200) = √0.0007975 = 0.0282400;
    /// 95% CI = 0.05 ± 1.95996 · 0.0282400 = [−0.00535, 0.10535];
    /// pooled p = 230/1200 = 0.191667, SE₀ = √(0.191667 · 0.808333 · (1/1000 + 1/200)) = 0.0304890,
    /// z = 0.05 / 0.0304890 = 1.63994, two-sided p = 0.10102 — not significant.
    @Test func aSmallHoldoutGivesAWideIntervalAndSaysSo() {
        let lift = LiftEstimate(treatmentPeople: 1000, treatmentConverted: 200, holdoutPeople: 200, holdoutConverted: 30)
        #expect(abs(lift.absoluteLift! - 0.05) < 1e-12)
        #expect(abs(lift.relativeLift! - 1.0 / 3.0) < 1e-12)
        #expect(abs(lift.confidenceInterval![0] - -0.00535) < 1e-5 && abs(lift.confidenceInterval![1] - 0.10535) < 1e-5)
        #expect(abs(lift.pValue! - 0.10102) < 1e-5)
        #expect(lift.reading.hasPrefix("not significant at this sample size"))
    }

    /// 12% of 10,000 against 9% of 2,000: lift 0.03, CI [0.01593, 0.04407], p = 0.000124.
    @Test func aLargeSampleShowsASignificantLift() {
        let lift = LiftEstimate(treatmentPeople: 10_000, treatmentConverted: 1_200, holdoutPeople: 2_000, holdoutConverted: 180)
        #expect(abs(lift.confidenceInterval![0] - 0.01593) < 1e-5 && abs(lift.confidenceInterval![1] - 0.04407) < 1e-5)
        #expect(abs(lift.pValue! - 0.000124) < 1e-6)
        #expect(lift.reading.hasPrefix("significant: the campaign raised conversion by 3.00 percentage points"))
    }

    @Test func withoutAHoldoutThereIsNoLift() {
        let lift = LiftEstimate(treatmentPeople: 50, treatmentConverted: 5, holdoutPeople: 0, holdoutConverted: 0)
        #expect(lift.absoluteLift == nil && lift.pValue == nil && lift.treatmentRate == 0.1)
        #expect(lift.reading == "no holdout: lift cannot be measured")
        let nobody = LiftEstimate(treatmentPeople: 10, treatmentConverted: 0, holdoutPeople: 10, holdoutConverted: 0)
        #expect(nobody.pValue == 1 && nobody.relativeLift == nil && nobody.reading.hasPrefix("not significant"))
    }

    @Test func funnelRatesUseTheirOwnDenominators() {
        let funnel = FunnelReport(attempted: 100, accepted: 80, delivered: 60, opened: 20, converted: 4, revenue: 200)
        #expect(funnel.acceptanceRate == 0.8 && funnel.deliveryRate == 0.75 && funnel.openRate == 0.25 && funnel.conversionRate == 0.05)
        #expect(funnel.revenuePerRecipient == 2.5 && abs(funnel.revenuePerDelivered! - 200.0 / 60.0) < 1e-12)
        let empty = FunnelReport(attempted: 0, accepted: 0, delivered: 0, opened: 0, converted: 0, revenue: 0)
        #expect(empty.acceptanceRate == nil && empty.revenuePerDelivered == nil)
    }
}
