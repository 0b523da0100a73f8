// placeholder, replaced by the batched embedding pipeline
namespace xbt {}
