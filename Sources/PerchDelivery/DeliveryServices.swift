import Logging
import PerchCore
import PerchStore
import ServiceLifecycle

/// The services that work in the background of `perch serve` and make up `perch worker`: the campaign scheduler
/// (starts campaigns, fires triggers), the delivery worker and, given a policy, token hygiene. Any number of processes
/// may run them over one database: leases in the store let one scheduler pass and one hygiene pass run at a time, and
/// workers share the queue. `outcomes` (the API's, in `perch serve`) hears of every batch the worker records, so a send
/// waiting for its answer reads it at once.
public enum DeliveryServices {
    public static func make(store: any PerchStore, gateways: GatewayDirectory, configuration: DeliveryConfiguration,
                            hygiene: HygienePolicy? = nil, metrics: PerchMetrics?, outcomes: DeliveryOutcomes? = nil,
                            logger: Logger) -> [any Service] {
        var services: [any Service] = [
            CampaignScheduler(store: store, clock: ContinuousClock(), logger: logger),
            DeliveryWorker(store: store, gateways: gateways, configuration: configuration, clock: ContinuousClock(), logger: logger, metrics: metrics,
                           outcomes: outcomes),
        ]
        if let hygiene {
            services.append(HygieneService(store: store, policy: hygiene, clock: ContinuousClock(), logger: logger, metrics: metrics))
        }
        return services
    }
}
